package gtp_test

import (
	"testing"
	"time"

	"github.com/tengen-go/tengen/gtp"
)

const sec = time.Second

func TestParseTimeSettings(t *testing.T) {
	tests := []struct {
		args []string
		want gtp.TimeControl
		bad  bool
	}{
		{args: []string{"300", "30", "5"}, want: gtp.TimeControl{System: gtp.Canadian, Main: 300 * sec, Period: 30 * sec, Stones: 5}},
		{args: []string{"300", "0", "0"}, want: gtp.TimeControl{System: gtp.Absolute, Main: 300 * sec}},
		{args: []string{"0", "1", "0"}, want: gtp.TimeControl{System: gtp.NoTime}},
		{args: []string{"0", "10", "1"}, want: gtp.TimeControl{System: gtp.Canadian, Period: 10 * sec, Stones: 1}},
		{args: []string{"1.5", "0", "0"}, want: gtp.TimeControl{System: gtp.Absolute, Main: 1500 * time.Millisecond}},
		{args: []string{"300", "30"}, bad: true},
		{args: []string{"-1", "30", "5"}, bad: true},
		{args: []string{"300", "x", "5"}, bad: true},
		{args: []string{"300", "30", "2.5"}, bad: true},
		{args: []string{"NaN", "30", "5"}, bad: true},
	}
	for _, tt := range tests {
		got, err := gtp.ParseTimeSettings(tt.args)
		if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
			t.Errorf("ParseTimeSettings(%q) = %+v, %v; want %+v (error %v)", tt.args, got, err, tt.want, tt.bad)
		}
	}
}

func TestParseKGSTimeSettings(t *testing.T) {
	tests := []struct {
		args []string
		want gtp.TimeControl
		bad  bool
	}{
		{args: []string{"none"}, want: gtp.TimeControl{System: gtp.NoTime}},
		{args: []string{"absolute", "600"}, want: gtp.TimeControl{System: gtp.Absolute, Main: 600 * sec}},
		{args: []string{"byoyomi", "600", "30", "5"}, want: gtp.TimeControl{System: gtp.Byoyomi, Main: 600 * sec, Period: 30 * sec, Periods: 5}},
		{args: []string{"canadian", "600", "60", "10"}, want: gtp.TimeControl{System: gtp.Canadian, Main: 600 * sec, Period: 60 * sec, Stones: 10}},
		{args: []string{"BYOYOMI", "0", "30", "0"}, want: gtp.TimeControl{System: gtp.Absolute}},
		{args: []string{"none", "1"}, bad: true},
		{args: []string{"absolute"}, bad: true},
		{args: []string{"byoyomi", "600", "30"}, bad: true},
		{args: []string{"fischer", "600", "10"}, bad: true},
		{args: nil, bad: true},
	}
	for _, tt := range tests {
		got, err := gtp.ParseKGSTimeSettings(tt.args)
		if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
			t.Errorf("ParseKGSTimeSettings(%q) = %+v, %v; want %+v (error %v)", tt.args, got, err, tt.want, tt.bad)
		}
	}
}

func TestParseTimeLeft(t *testing.T) {
	byo := gtp.TimeControl{System: gtp.Byoyomi, Main: 600 * sec, Period: 30 * sec, Periods: 5}
	can := gtp.TimeControl{System: gtp.Canadian, Main: 600 * sec, Period: 60 * sec, Stones: 10}
	tests := []struct {
		tc   gtp.TimeControl
		args []string
		want gtp.Clock
		bad  bool
	}{
		{tc: byo, args: []string{"400", "0"}, want: gtp.Clock{Main: 400 * sec, Period: 30 * sec, Periods: 5}},
		{tc: byo, args: []string{"20", "3"}, want: gtp.Clock{Period: 20 * sec, Periods: 3}},
		{tc: can, args: []string{"45", "7"}, want: gtp.Clock{Period: 45 * sec, Stones: 7}},
		{tc: can, args: []string{"45"}, bad: true},
		{tc: can, args: []string{"45", "-1"}, bad: true},
	}
	for _, tt := range tests {
		got, err := tt.tc.ParseTimeLeft(tt.args)
		if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
			t.Errorf("%v ParseTimeLeft(%q) = %+v, %v; want %+v", tt.tc.System, tt.args, got, err, tt.want)
		}
	}
}

// TestBudget: the budget of a move under each time system, and whether
// what it leaves is saved for later moves (Saves: not in a byo-yomi
// period nor on a Canadian block's last stone).
func TestBudget(t *testing.T) {
	lag := 500 * time.Millisecond
	abs := gtp.TimeControl{System: gtp.Absolute, Main: 600 * sec}
	byo := gtp.TimeControl{System: gtp.Byoyomi, Main: 600 * sec, Period: 30 * sec, Periods: 5}
	can := gtp.TimeControl{System: gtp.Canadian, Main: 600 * sec, Period: 60 * sec, Stones: 10}
	one := gtp.TimeControl{System: gtp.Canadian, Period: 2 * sec, Stones: 1} // time_settings 0 2 1
	tests := []struct {
		name      string
		tc        gtp.TimeControl
		clock     gtp.Clock
		movesLeft int
		want      time.Duration
		saves     bool
	}{
		{"none", gtp.TimeControl{}, gtp.Clock{}, 100, 0, true},
		{"absolute", abs, abs.NewClock(), 100, 600*sec/100 - lag, true},
		{"absolute almost out", abs, gtp.Clock{Main: 300 * time.Millisecond}, 10, 10 * time.Millisecond, true},
		{"byoyomi main", byo, byo.NewClock(), 100, 600*sec/100 + 30*sec - lag, true},
		{"byoyomi period", byo, gtp.Clock{Period: 30 * sec, Periods: 3}, 100, 30*sec - lag, false},
		{"byoyomi part period", byo, gtp.Clock{Period: 12 * sec, Periods: 1}, 100, 12*sec - lag, false},
		{"canadian main", can, can.NewClock(), 100, 600*sec/100 + 6*sec - lag, true},
		{"canadian block", can, gtp.Clock{Period: 40 * sec, Stones: 4}, 100, 10*sec - lag, true},
		{"canadian last stone", can, gtp.Clock{Period: 3 * sec, Stones: 1}, 100, 3*sec - lag, false},
		{"canadian one stone a block", one, one.NewClock(), 100, 2*sec - lag, false},
	}
	for _, tt := range tests {
		if got := tt.tc.Budget(tt.clock, tt.movesLeft, lag); got != tt.want {
			t.Errorf("%s: Budget(%+v, %d) = %v; want %v", tt.name, tt.clock, tt.movesLeft, got, tt.want)
		}
		if got := tt.tc.Saves(tt.clock); got != tt.saves {
			t.Errorf("%s: Saves(%+v) = %v; want %v", tt.name, tt.clock, got, tt.saves)
		}
	}
}

// TestNeverLoseOnTime plays long games where every move takes its whole
// budget plus the full lag, and checks the clock never runs out under
// byo-yomi and Canadian overtime (400 moves), and under absolute time in
// a long game (200 moves each); then the same with every tenth move hard,
// taking its whole MaxBudget.
func TestNeverLoseOnTime(t *testing.T) {
	lag := 300 * time.Millisecond
	for _, hardMoves := range []bool{false, true} {
		for _, tc := range []gtp.TimeControl{
			{System: gtp.Byoyomi, Main: 60 * sec, Period: 5 * sec, Periods: 1},
			{System: gtp.Byoyomi, Period: 2 * sec, Periods: 1},
			{System: gtp.Canadian, Main: 30 * sec, Period: 20 * sec, Stones: 25},
			{System: gtp.Canadian, Period: 10 * sec, Stones: 1},
			{System: gtp.Absolute, Main: 300 * sec},
		} {
			clock := tc.NewClock()
			moves := 400 // a very long game for overtime
			if tc.System == gtp.Absolute {
				moves = 200 // a long game
			}
			for move := 0; move < moves; move++ {
				empty := max(361-2*move, 0)
				left := gtp.MovesLeft(empty, 361)
				b, hard := tc.Budget(clock, left, lag), tc.MaxBudget(clock, left, lag)
				if hard < b {
					t.Fatalf("%+v: MaxBudget %v below Budget %v", tc, hard, b)
				}
				if hardMoves && move%10 == 9 {
					b = hard
				}
				if !tc.Spend(&clock, b+lag) {
					t.Errorf("%+v (hard moves %v): lost on time at move %d (clock %+v, budget %v)", tc, hardMoves, move, clock, b)
					break
				}
			}
		}
	}
}

// TestMaxBudget: three budgets in main time, the budget in overtime.
func TestMaxBudget(t *testing.T) {
	lag := 300 * time.Millisecond
	main := gtp.TimeControl{System: gtp.Byoyomi, Main: 600 * sec, Period: 30 * sec, Periods: 5}
	if b, hard := main.Budget(main.NewClock(), 100, lag), main.MaxBudget(main.NewClock(), 100, lag); hard != 3*b {
		t.Errorf("in main time MaxBudget %v; want 3 budgets (%v)", hard, 3*b)
	}
	period := gtp.Clock{Period: 30 * sec, Periods: 3}
	if b, hard := main.Budget(period, 100, lag), main.MaxBudget(period, 100, lag); hard != b {
		t.Errorf("in byo-yomi MaxBudget %v; want the budget %v", hard, b)
	}
	if hard := (gtp.TimeControl{}).MaxBudget(gtp.Clock{}, 10, lag); hard != 0 {
		t.Errorf("without time controls MaxBudget %v; want 0", hard)
	}
}
