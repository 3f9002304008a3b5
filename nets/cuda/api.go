package cuda

import (
	"fmt"
	"unsafe"
)

// The C entry points the backend calls, as Go function values that
// bindSymbols fills in from the loaded libraries (purego). The C types
// map as: CUresult, cublasStatus_t, nvrtcResult and other enums to int32;
// CUdevice and int to int32; unsigned int to uint32; size_t to uint64;
// CUdeviceptr to devPtr (uint64); handles (CUcontext, CUstream,
// CUmodule, CUfunction, cublasHandle_t, nvrtcProgram) to uintptr; void*
// to unsafe.Pointer. Where cuda.h maps a name to a versioned symbol
// (cuMemAlloc to cuMemAlloc_v2), the symbol is bound.

type (
	cuResult     int32
	cublasStatus int32
	nvrtcResult  int32
)

// Driver API constants (cuda.h).
const (
	cuDeviceAttrMultiprocessors = 16 // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
	cuDeviceAttrCCMajor         = 75 // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
	cuDeviceAttrCCMinor         = 76 // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
	cuStreamNonBlocking         = 1  // CU_STREAM_NON_BLOCKING
	cuErrorNoDevice             = 100
	cublasOpN                   = 0 // CUBLAS_OP_N
	cublasOpT                   = 1 // CUBLAS_OP_T
	cublasDefaultMath           = 0 // CUBLAS_DEFAULT_MATH: no TF32, full float32
)

// symbol is one C function to bind: its name in the library, a pointer to
// the Go function variable, and whether the backend works without it.
type symbol struct {
	name     string
	fn       any
	optional bool
}

// driverAPI is the part of libcuda the backend uses.
type driverAPI struct {
	cuInit                    func(flags uint32) cuResult
	cuDriverGetVersion        func(version *int32) cuResult
	cuDeviceGetCount          func(count *int32) cuResult
	cuDeviceGet               func(dev *int32, ordinal int32) cuResult
	cuDeviceGetName           func(name *byte, n int32, dev int32) cuResult
	cuDeviceGetAttribute      func(v *int32, attr int32, dev int32) cuResult
	cuDeviceTotalMem          func(bytes *uint64, dev int32) cuResult
	cuDevicePrimaryCtxRetain  func(ctx *uintptr, dev int32) cuResult
	cuDevicePrimaryCtxRelease func(dev int32) cuResult
	cuCtxSetCurrent           func(ctx uintptr) cuResult
	cuMemAlloc                func(p *devPtr, bytes uint64) cuResult
	cuMemFree                 func(p devPtr) cuResult
	cuMemAllocHost            func(p *unsafe.Pointer, bytes uint64) cuResult
	cuMemFreeHost             func(p unsafe.Pointer) cuResult
	cuMemcpyHtoD              func(dst devPtr, src unsafe.Pointer, bytes uint64) cuResult
	cuMemcpyHtoDAsync         func(dst devPtr, src unsafe.Pointer, bytes uint64, s uintptr) cuResult
	cuMemcpyDtoHAsync         func(dst unsafe.Pointer, src devPtr, bytes uint64, s uintptr) cuResult
	cuStreamCreate            func(s *uintptr, flags uint32) cuResult
	cuStreamDestroy           func(s uintptr) cuResult
	cuStreamSynchronize       func(s uintptr) cuResult
	cuModuleLoadData          func(m *uintptr, image unsafe.Pointer) cuResult
	cuModuleUnload            func(m uintptr) cuResult
	cuModuleGetFunction       func(f *uintptr, m uintptr, name string) cuResult
	cuLaunchKernel            func(f uintptr, gx, gy, gz, bx, by, bz, sharedMem uint32, s uintptr, params, extra unsafe.Pointer) cuResult
	cuGetErrorName            func(r cuResult, s **byte) cuResult
	cuGetErrorString          func(r cuResult, s **byte) cuResult
}

func (d *driverAPI) symbols() []symbol {
	return []symbol{
		{"cuInit", &d.cuInit, false},
		{"cuDriverGetVersion", &d.cuDriverGetVersion, false},
		{"cuDeviceGetCount", &d.cuDeviceGetCount, false},
		{"cuDeviceGet", &d.cuDeviceGet, false},
		{"cuDeviceGetName", &d.cuDeviceGetName, false},
		{"cuDeviceGetAttribute", &d.cuDeviceGetAttribute, false},
		{"cuDeviceTotalMem_v2", &d.cuDeviceTotalMem, false},
		{"cuDevicePrimaryCtxRetain", &d.cuDevicePrimaryCtxRetain, false},
		{"cuDevicePrimaryCtxRelease_v2", &d.cuDevicePrimaryCtxRelease, false},
		{"cuCtxSetCurrent", &d.cuCtxSetCurrent, false},
		{"cuMemAlloc_v2", &d.cuMemAlloc, false},
		{"cuMemFree_v2", &d.cuMemFree, false},
		{"cuMemAllocHost_v2", &d.cuMemAllocHost, false},
		{"cuMemFreeHost", &d.cuMemFreeHost, false},
		{"cuMemcpyHtoD_v2", &d.cuMemcpyHtoD, false},
		{"cuMemcpyHtoDAsync_v2", &d.cuMemcpyHtoDAsync, false},
		{"cuMemcpyDtoHAsync_v2", &d.cuMemcpyDtoHAsync, false},
		{"cuStreamCreate", &d.cuStreamCreate, false},
		{"cuStreamDestroy_v2", &d.cuStreamDestroy, false},
		{"cuStreamSynchronize", &d.cuStreamSynchronize, false},
		{"cuModuleLoadData", &d.cuModuleLoadData, false},
		{"cuModuleUnload", &d.cuModuleUnload, false},
		{"cuModuleGetFunction", &d.cuModuleGetFunction, false},
		{"cuLaunchKernel", &d.cuLaunchKernel, false},
		{"cuGetErrorName", &d.cuGetErrorName, false},
		{"cuGetErrorString", &d.cuGetErrorString, false},
	}
}

// cublasAPI is the part of cuBLAS the backend uses.
type cublasAPI struct {
	cublasCreate          func(h *uintptr) cublasStatus
	cublasDestroy         func(h uintptr) cublasStatus
	cublasSetStream       func(h, s uintptr) cublasStatus
	cublasSetMathMode     func(h uintptr, mode int32) cublasStatus
	cublasSgemm           func(h uintptr, ta, tb, m, n, k int32, alpha *float32, a devPtr, lda int32, b devPtr, ldb int32, beta *float32, c devPtr, ldc int32) cublasStatus
	cublasDgemm           func(h uintptr, ta, tb, m, n, k int32, alpha *float64, a devPtr, lda int32, b devPtr, ldb int32, beta *float64, c devPtr, ldc int32) cublasStatus
	cublasGetStatusString func(s cublasStatus) string
}

func (c *cublasAPI) symbols() []symbol {
	return []symbol{
		{"cublasCreate_v2", &c.cublasCreate, false},
		{"cublasDestroy_v2", &c.cublasDestroy, false},
		{"cublasSetStream_v2", &c.cublasSetStream, false},
		{"cublasSetMathMode", &c.cublasSetMathMode, false},
		{"cublasSgemm_v2", &c.cublasSgemm, false},
		{"cublasDgemm_v2", &c.cublasDgemm, false},
		{"cublasGetStatusString", &c.cublasGetStatusString, true},
	}
}

// nvrtcAPI is the part of NVRTC the backend uses.
type nvrtcAPI struct {
	nvrtcVersion           func(major, minor *int32) nvrtcResult
	nvrtcCreateProgram     func(p *uintptr, src, name *byte, numHeaders int32, headers, includeNames unsafe.Pointer) nvrtcResult
	nvrtcCompileProgram    func(p uintptr, numOptions int32, options **byte) nvrtcResult
	nvrtcDestroyProgram    func(p *uintptr) nvrtcResult
	nvrtcGetProgramLogSize func(p uintptr, n *uint64) nvrtcResult
	nvrtcGetProgramLog     func(p uintptr, log *byte) nvrtcResult
	nvrtcGetPTXSize        func(p uintptr, n *uint64) nvrtcResult
	nvrtcGetPTX            func(p uintptr, ptx *byte) nvrtcResult
	nvrtcGetCUBINSize      func(p uintptr, n *uint64) nvrtcResult
	nvrtcGetCUBIN          func(p uintptr, cubin *byte) nvrtcResult
	nvrtcGetErrorString    func(r nvrtcResult) string
}

func (r *nvrtcAPI) symbols() []symbol {
	return []symbol{
		{"nvrtcVersion", &r.nvrtcVersion, false},
		{"nvrtcCreateProgram", &r.nvrtcCreateProgram, false},
		{"nvrtcCompileProgram", &r.nvrtcCompileProgram, false},
		{"nvrtcDestroyProgram", &r.nvrtcDestroyProgram, false},
		{"nvrtcGetProgramLogSize", &r.nvrtcGetProgramLogSize, false},
		{"nvrtcGetProgramLog", &r.nvrtcGetProgramLog, false},
		{"nvrtcGetPTXSize", &r.nvrtcGetPTXSize, false},
		{"nvrtcGetPTX", &r.nvrtcGetPTX, false},
		{"nvrtcGetCUBINSize", &r.nvrtcGetCUBINSize, true},
		{"nvrtcGetCUBIN", &r.nvrtcGetCUBIN, true},
		{"nvrtcGetErrorString", &r.nvrtcGetErrorString, false},
	}
}

// cString returns the NUL-terminated C string at p ("" for nil).
func cString(p *byte) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(p, n))
}

// cBytes returns s as a NUL-terminated byte slice.
func cBytes(s string) []byte { return append([]byte(s), 0) }

// driverError formats a failed driver call.
func (d *driverAPI) err(call string, r cuResult) error {
	if r == 0 {
		return nil
	}
	var name, desc *byte
	d.cuGetErrorName(r, &name)
	d.cuGetErrorString(r, &desc)
	return fmt.Errorf("nets/cuda: %s: %s (%d): %s", call, cString(name), int(r), cString(desc))
}

// err formats a failed cuBLAS call.
func (c *cublasAPI) err(call string, s cublasStatus) error {
	if s == 0 {
		return nil
	}
	msg := "cuBLAS status"
	if c.cublasGetStatusString != nil {
		msg = c.cublasGetStatusString(s)
	}
	return fmt.Errorf("nets/cuda: %s: %s (%d)", call, msg, int(s))
}

// err formats a failed NVRTC call.
func (r *nvrtcAPI) err(call string, res nvrtcResult) error {
	if res == 0 {
		return nil
	}
	return fmt.Errorf("nets/cuda: %s: %s (%d)", call, r.nvrtcGetErrorString(res), int(res))
}
