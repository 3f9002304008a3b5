package qgemm

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go

//go:noescape
func kernBF16x8x32(k int, a, b *uint32, c *float32, ldc int, scale, bias *float32, lo float32)

//go:noescape
func kernBF16x12x32(k int, a, b *uint32, c *float32, ldc int, scale, bias *float32, lo float32)

//go:noescape
func kernU8S8x8x32(k int, a, b *uint32, c *float32, ldc int, scale, bias *float32, lo float32)

//go:noescape
func kernU8S8x12x32(k int, a, b *uint32, c *float32, ldc int, scale, bias *float32, lo float32)

//go:noescape
func packBF16x32(dst *uint32, src *float32, ld, k2 int)

//go:noescape
func packU8x32(dst *uint32, src *float32, ld, k4 int, inv float32)

var (
	bf16x8  = &kernel{name: "avx512bf16-8x32", mr: 8, fn: kernBF16x8x32, packBF16: packBF16x32}
	bf16x12 = &kernel{name: "avx512bf16-12x32", mr: 12, fn: kernBF16x12x32, packBF16: packBF16x32}
	int8x8  = &kernel{name: "avx512vnni-8x32", mr: 8, fn: kernU8S8x8x32, packU8: packU8x32}
	int8x12 = &kernel{name: "avx512vnni-12x32", mr: 12, fn: kernU8S8x12x32, packU8: packU8x32}
)

// hasAVX512 is the base both kernel sets need: 512-bit registers, dword
// and byte operations.
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL

// asmBF16 lists the bf16 assembly kernels this CPU runs, best first.
func asmBF16() []*kernel {
	if hasAVX512 && cpu.X86.HasAVX512BF16 {
		return []*kernel{bf16x8, bf16x12}
	}
	return nil
}

// asmInt8 lists the int8 assembly kernels this CPU runs, best first.
func asmInt8() []*kernel {
	if hasAVX512 && cpu.X86.HasAVX512VNNI {
		return []*kernel{int8x8, int8x12}
	}
	return nil
}
