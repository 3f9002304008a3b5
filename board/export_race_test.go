package board

// RaceEnabled tells external tests (package board_test) whether the race
// detector is on.
const RaceEnabled = raceEnabled
