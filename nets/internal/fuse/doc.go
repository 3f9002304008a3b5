// Package fuse lowers a network's trunk to the layers an inference
// backend runs, the way nets/cpu and nets/cuda both run it: batch norm
// folded into the convolution before it, a following ReLU or tanh (past
// any dropouts) fused into that convolution's bias pass, dropout (an
// identity at inference) dropped. The heads are left to the backends.
package fuse
