//go:build !amd64

package qgemm

func asmBF16() []*kernel { return nil }
func asmInt8() []*kernel { return nil }

func asmConv(bool) *[4][6]convTileFunc { return nil }
