package qgemm

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

//go:noescape
func convU8S8m1n1(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m1n2(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m1n3(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m1n4(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m1n5(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m1n6(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m2n1(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m2n2(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m2n3(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m2n4(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m2n5(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m2n6(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m3n1(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m3n2(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m3n3(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m3n4(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m3n5(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m3n6(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m4n1(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m4n2(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m4n3(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m4n4(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m4n5(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convU8S8m4n6(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m1n1(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m1n2(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m1n3(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m1n4(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m1n5(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m1n6(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m2n1(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m2n2(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m2n3(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m2n4(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m2n5(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m2n6(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m3n1(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m3n2(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m3n3(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m3n4(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m3n5(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m3n6(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m4n1(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m4n2(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m4n3(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m4n4(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m4n5(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

//go:noescape
func convS16S16m4n6(taps, steps int, w *uint32, a *byte, offs *int, cp int, out unsafe.Pointer, ostride int, scale, bias *float32, mode int, lo float32)

// asmConvTiles and asmConv16Tiles are the direct-convolution kernels
// (u8·s8 and s16·s16) by [mv-1][np-1].
var (
	asmConvTiles = [4][6]convTileFunc{
		{convU8S8m1n1, convU8S8m1n2, convU8S8m1n3, convU8S8m1n4, convU8S8m1n5, convU8S8m1n6},
		{convU8S8m2n1, convU8S8m2n2, convU8S8m2n3, convU8S8m2n4, convU8S8m2n5, convU8S8m2n6},
		{convU8S8m3n1, convU8S8m3n2, convU8S8m3n3, convU8S8m3n4, convU8S8m3n5, convU8S8m3n6},
		{convU8S8m4n1, convU8S8m4n2, convU8S8m4n3, convU8S8m4n4, convU8S8m4n5, convU8S8m4n6},
	}
	asmConv16Tiles = [4][6]convTileFunc{
		{convS16S16m1n1, convS16S16m1n2, convS16S16m1n3, convS16S16m1n4, convS16S16m1n5, convS16S16m1n6},
		{convS16S16m2n1, convS16S16m2n2, convS16S16m2n3, convS16S16m2n4, convS16S16m2n5, convS16S16m2n6},
		{convS16S16m3n1, convS16S16m3n2, convS16S16m3n3, convS16S16m3n4, convS16S16m3n5, convS16S16m3n6},
		{convS16S16m4n1, convS16S16m4n2, convS16S16m4n3, convS16S16m4n4, convS16S16m4n5, convS16S16m4n6},
	}
)

// asmConv returns the direct-convolution kernels this CPU runs (nil: the
// Go kernels run).
func asmConv(wide bool) *[4][6]convTileFunc {
	if !hasAVX512 || !cpu.X86.HasAVX512VNNI {
		return nil
	}
	if wide {
		return &asmConv16Tiles
	}
	return &asmConvTiles
}
