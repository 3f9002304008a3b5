// Package plot draws tengen's pictures as PNG files: training curves
// (loss and accuracy against steps, from the training metrics log), the
// first convolution layer's filters as a grid of tiles (as the AlexNet and
// ZFNet papers showed theirs), a board with a policy as a heatmap, and the
// Elo ladder of self-play gating.
// It builds on gonum.org/v1/plot. Every file is written atomically
// (a temporary file in the same directory, then a rename), so a reader
// never sees half a picture.
package plot
