// Package qgemm is the reduced-precision matrix multiply of the CPU
// network path: C = act(W·B·scale + bias) with W an m×k weight matrix
// prepared once, B a k×n float32 activation matrix converted as it is
// packed, and C float32.
//
// Two formats:
//
//   - bf16 ([BF16Matrix]): W and B rounded to bfloat16 (to nearest even),
//     products accumulated in float32 by VDPBF16PS (AVX512_BF16), two K
//     values per instruction lane. Go's assembler does not know
//     VDPBF16PS; gen_kernels.go writes it as EVEX bytes.
//   - int8 ([Int8Matrix]): W quantised symmetrically to int8 with one scale
//     per output row (channel), B to uint8 with one scale per call (the
//     activations after a ReLU are non-negative), products accumulated in
//     int32 by VPDPBUSD (AVX512_VNNI), four K values per lane, and
//     dequantised to float32 in the kernel's store.
//
// Both follow sgemm's Goto/BLIS shape with the whole K in one block: the
// weights are packed at preparation into mr-row panels (mr = 8 or 12), a
// 32-column panel of B is packed (converted) once per call and meets
// every row panel; the micro-kernel keeps an mr×32 tile in 2·mr vector
// registers and fuses bias, scale and ReLU into its store.
//
// Without the instruction sets (another CPU, another GOARCH) pure-Go
// kernels compute the same values (bf16: the same products, summed in
// another order; int8: identical), so every test runs everywhere; the
// callers ([HasBF16], [HasInt8]) decide whether the slow path is worth it.
//
// A [Context] holds one goroutine's packing buffers; calls do not
// allocate once it has grown. Calls run on the calling goroutine: the
// network backend splits work across cores itself.
package qgemm
