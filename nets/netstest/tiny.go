package netstest

import (
	"fmt"

	"github.com/tengen-go/tengen/nets"
)

// TinySpecs are small networks that between them cover every layer kind:
// both policy heads, both value heads (flat and pooled), the ownership and
// score heads, batch norm, LRN with default and other parameters, max
// pooling with stride 1 and 2, dropout in the trunk and the heads, tanh,
// 1x1, 3x3 and 5x5 kernels, the v1 and v2 feature sets. Both trainers run
// their gradient checks on them.
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
		// The heads of issue 14: a pooled value head sharing its features
		// with the score head, and an ownership head, on a trunk with
		// batch norm and the ladder features.
		"heads": {
			BoardSize: 5, Features: nets.FeaturesV2,
			Trunk: []nets.Layer{
				{Kind: nets.KindConv, Filters: 4, Kernel: 3},
				{Kind: nets.KindBatchNorm},
				{Kind: nets.KindReLU},
				{Kind: nets.KindConv, Filters: 3, Kernel: 3},
				{Kind: nets.KindTanh},
			},
			Policy:    nets.PolicyHead{Kind: "conv", Filters: 2},
			Value:     nets.ValueHead{Kind: nets.ValuePool, Filters: 2, Hidden: 5, Dropout: 0.3},
			Ownership: nets.OwnershipHead{Filters: 2},
			Score:     nets.ScoreHead{Hidden: 4},
		},
		// A flat value head with an ownership head; a pooled value and
		// score head after a stride-2 pooling (no ownership there).
		"flatown": {
			BoardSize: 4, Features: nets.FeaturesV1,
			Trunk: []nets.Layer{
				{Kind: nets.KindConv, Filters: 3, Kernel: 3},
				{Kind: nets.KindReLU},
				{Kind: nets.KindLRN, N: 3, K: 1, Alpha: 0.5, Beta: 0.75},
			},
			Policy:    nets.PolicyHead{Kind: "dense", Filters: 1},
			Value:     nets.ValueHead{Filters: 1, Hidden: 3},
			Ownership: nets.OwnershipHead{Filters: 3},
		},
		"poolscore": {
			BoardSize: 5, Features: nets.FeaturesV1,
			Trunk: []nets.Layer{
				{Kind: nets.KindConv, Filters: 4, Kernel: 3},
				{Kind: nets.KindReLU},
				{Kind: nets.KindMaxPool, Size: 3, Stride: 2},
				{Kind: nets.KindConv, Filters: 3, Kernel: 1},
				{Kind: nets.KindTanh},
			},
			Policy: nets.PolicyHead{Kind: "dense", Filters: 2},
			Value:  nets.ValueHead{Kind: nets.ValuePool, Filters: 3, Hidden: 4},
			Score:  nets.ScoreHead{Hidden: 3},
		},
	}
}

// HeadSpecs returns networks for a board size that exercise the heads of
// issue 14 in every combination: pooled and flat value heads, ownership
// and score heads, with both policy heads, over a small trunk (a stride-2
// pooling in one, where only the pooled heads fit), with the v2 (ladder)
// features in some.
func HeadSpecs(size int) []nets.Spec {
	conv := func(f, k int) nets.Layer { return nets.Layer{Kind: nets.KindConv, Filters: f, Kernel: k} }
	relu := nets.Layer{Kind: nets.KindReLU}
	specs := []nets.Spec{
		{Name: "pool", Features: nets.FeaturesV1, Trunk: []nets.Layer{conv(3, 3), relu},
			Policy: nets.PolicyHead{Kind: "conv", Filters: 2}, Value: nets.ValueHead{Kind: nets.ValuePool, Filters: 3, Hidden: 6}},
		{Name: "pool-own-score", Features: nets.FeaturesV2, Trunk: []nets.Layer{conv(4, 3), {Kind: nets.KindTanh}},
			Policy: nets.PolicyHead{Kind: "dense", Filters: 1}, Value: nets.ValueHead{Kind: nets.ValuePool, Filters: 2, Hidden: 5, Dropout: 0.5},
			Ownership: nets.OwnershipHead{Filters: 3}, Score: nets.ScoreHead{Hidden: 7}},
		{Name: "flat-own", Features: nets.FeaturesV1, Trunk: []nets.Layer{conv(2, 5), relu, {Kind: nets.KindLRN}},
			Policy: nets.PolicyHead{Kind: "conv", Filters: 2}, Value: nets.ValueHead{Filters: 2, Hidden: 4}, Ownership: nets.OwnershipHead{Filters: 2}},
		{Name: "bn-own-score", Features: nets.FeaturesV2, Trunk: []nets.Layer{conv(3, 3), {Kind: nets.KindBatchNorm}, relu, {Kind: nets.KindMaxPool}},
			Policy: nets.PolicyHead{Kind: "conv", Filters: 1}, Value: nets.ValueHead{Kind: nets.ValuePool, Filters: 4, Hidden: 3},
			Ownership: nets.OwnershipHead{Filters: 1}, Score: nets.ScoreHead{Hidden: 2}},
		{Name: "s2-pool-score", Features: nets.FeaturesV1, Trunk: []nets.Layer{conv(3, 3), relu, {Kind: nets.KindMaxPool, Size: 3, Stride: 2}},
			Policy: nets.PolicyHead{Kind: "dense", Filters: 2}, Value: nets.ValueHead{Kind: nets.ValuePool, Filters: 2, Hidden: 4}, Score: nets.ScoreHead{Hidden: 5}},
	}
	for i := range specs {
		specs[i].BoardSize = size
		specs[i].Name = fmt.Sprintf("heads-%s-%d", specs[i].Name, size)
	}
	return specs
}
