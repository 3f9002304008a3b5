//go:build !amd64

package qgemm

func asmBF16() []*kernel { return nil }
func asmInt8() []*kernel { return nil }
