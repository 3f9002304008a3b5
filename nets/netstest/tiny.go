package netstest

import "github.com/tengen-go/tengen/nets"

// TinySpecs are small networks that between them cover every layer kind:
// both policy heads, batch norm, LRN with default and other parameters,
// max pooling with stride 1 and 2, dropout in the trunk and both heads,
// tanh, 1x1, 3x3 and 5x5 kernels. Both trainers run their gradient checks
// on them.
func TinySpecs() map[string]nets.Spec {
	return map[string]nets.Spec{
		"convhead": {
			BoardSize: 5, Features: nets.FeaturesV1,
			Trunk: []nets.Layer{
				{Kind: nets.KindConv, Filters: 4, Kernel: 3},
				{Kind: nets.KindBatchNorm},
				{Kind: nets.KindReLU},
				{Kind: nets.KindLRN, N: 3, K: 1, Alpha: 0.5, Beta: 0.75},
				{Kind: nets.KindMaxPool, Size: 3, Stride: 1},
				{Kind: nets.KindConv, Filters: 3, Kernel: 3},
				{Kind: nets.KindTanh},
				{Kind: nets.KindDropout, Rate: 0.25},
			},
			Policy: nets.PolicyHead{Kind: "conv", Filters: 2, Dropout: 0.5},
			Value:  nets.ValueHead{Filters: 1, Hidden: 6, Dropout: 0.5},
		},
		"densehead": {
			BoardSize: 5, Features: nets.FeaturesV1,
			Trunk: []nets.Layer{
				{Kind: nets.KindConv, Filters: 4, Kernel: 5},
				{Kind: nets.KindReLU},
				{Kind: nets.KindLRN, Alpha: 0.3},
				{Kind: nets.KindMaxPool, Size: 3, Stride: 2},
				{Kind: nets.KindConv, Filters: 3, Kernel: 3},
				{Kind: nets.KindBatchNorm, Epsilon: 1e-3},
				{Kind: nets.KindReLU},
				{Kind: nets.KindConv, Filters: 5, Kernel: 1},
				{Kind: nets.KindDropout, Rate: 0},
				{Kind: nets.KindTanh},
			},
			Policy: nets.PolicyHead{Kind: "dense", Filters: 2},
			Value:  nets.ValueHead{Filters: 2, Hidden: 5},
		},
		"lrnfirst": {
			BoardSize: 4, Features: nets.FeaturesV1,
			Trunk: []nets.Layer{
				{Kind: nets.KindLRN, N: 5, K: 2, Alpha: 1, Beta: 0.6},
				{Kind: nets.KindMaxPool, Size: 5, Stride: 2},
				{Kind: nets.KindConv, Filters: 6, Kernel: 3},
				{Kind: nets.KindReLU},
				{Kind: nets.KindDropout, Rate: 0.3},
				{Kind: nets.KindLRN},
			},
			Policy: nets.PolicyHead{Kind: "dense", Filters: 1, Dropout: 0.2},
			Value:  nets.ValueHead{Filters: 1, Hidden: 3},
		},
	}
}
