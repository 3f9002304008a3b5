package cuda

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// cudaRuntime is the loaded libraries, shared by every backend of the
// process. Once loaded they stay (the first successful load's directories
// win); a failed load is tried again by the next New.
type cudaRuntime struct {
	drv  driverAPI
	blas cublasAPI
	rtc  nvrtcAPI

	driverPath, cublasPath, nvrtcPath string
	driverVersion                     int // 13000 for CUDA 13.0
	nvrtcVersion                      string

	mu     sync.Mutex
	images map[string][]byte // compiled kernels by NVRTC target ("sm_90", "compute_90")
}

var (
	rtMu sync.Mutex
	rt   *cudaRuntime
)

// loadRuntime returns the process's libraries, loading them (and calling
// cuInit) the first time. Errors for a missing library or device match
// ErrUnavailable.
func loadRuntime(libDirs []string) (*cudaRuntime, error) {
	rtMu.Lock()
	defer rtMu.Unlock()
	if rt != nil {
		return rt, nil
	}
	if !gpuSupport {
		return nil, errNoSupport
	}
	s := searcherFor(libDirs)
	r := &cudaRuntime{images: map[string][]byte{}}
	h, path, err := s.open(libCUDA, dlopen)
	if err != nil {
		return nil, err
	}
	if err := bindSymbols(h, path, r.drv.symbols()); err != nil {
		return nil, err
	}
	r.driverPath = path
	if res := r.drv.cuInit(0); res != 0 {
		err := r.drv.err("cuInit", res)
		if res == cuErrorNoDevice {
			return nil, unavailable("nets/cuda: no CUDA device (%v)", err)
		}
		return nil, unavailable("nets/cuda: the NVIDIA driver (%s) did not start: %v", path, err)
	}
	var v int32
	if err := r.drv.err("cuDriverGetVersion", r.drv.cuDriverGetVersion(&v)); err != nil {
		return nil, err
	}
	r.driverVersion = int(v)
	var n int32
	if err := r.drv.err("cuDeviceGetCount", r.drv.cuDeviceGetCount(&n)); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, unavailable("nets/cuda: no CUDA device (the driver %s sees none)", path)
	}

	if h, path, err = s.open(libCuBLAS, dlopen); err != nil {
		return nil, err
	}
	if err := bindSymbols(h, path, r.blas.symbols()); err != nil {
		return nil, err
	}
	r.cublasPath = path
	if h, path, err = s.open(libNVRTC, dlopen); err != nil {
		return nil, err
	}
	if err := bindSymbols(h, path, r.rtc.symbols()); err != nil {
		return nil, err
	}
	r.nvrtcPath = path
	var major, minor int32
	if err := r.rtc.err("nvrtcVersion", r.rtc.nvrtcVersion(&major, &minor)); err != nil {
		return nil, err
	}
	r.nvrtcVersion = fmt.Sprintf("%d.%d", major, minor)
	rt = r
	return r, nil
}

// compile returns kernels.cu compiled by NVRTC for target ("sm_90": a
// cubin; "compute_90": PTX), compiling it once per process.
func (r *cudaRuntime) compile(target string) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if img, ok := r.images[target]; ok {
		return img, nil
	}
	cubin := strings.HasPrefix(target, "sm_")
	if cubin && (r.rtc.nvrtcGetCUBIN == nil || r.rtc.nvrtcGetCUBINSize == nil) {
		return nil, fmt.Errorf("nets/cuda: NVRTC %s cannot emit cubins", r.nvrtcVersion)
	}
	src, name := cBytes(kernelSource), cBytes("kernels.cu")
	var prog uintptr
	if err := r.rtc.err("nvrtcCreateProgram", r.rtc.nvrtcCreateProgram(&prog, &src[0], &name[0], 0, nil, nil)); err != nil {
		return nil, err
	}
	defer r.rtc.nvrtcDestroyProgram(&prog)
	// No fast-math: the kernels must match nets/cpu to 1e-4.
	opts := [][]byte{cBytes("--gpu-arch=" + target), cBytes("--std=c++17")}
	ptrs := make([]*byte, len(opts))
	for i := range opts {
		ptrs[i] = &opts[i][0]
	}
	res := r.rtc.nvrtcCompileProgram(prog, int32(len(ptrs)), &ptrs[0])
	runtime.KeepAlive(src)
	runtime.KeepAlive(name)
	runtime.KeepAlive(opts)
	if res != 0 {
		return nil, fmt.Errorf("%w\n%s", r.rtc.err("nvrtcCompileProgram --gpu-arch="+target, res), r.programLog(prog))
	}
	var size uint64
	var img []byte
	if cubin {
		if err := r.rtc.err("nvrtcGetCUBINSize", r.rtc.nvrtcGetCUBINSize(prog, &size)); err != nil {
			return nil, err
		}
		if size == 0 {
			return nil, fmt.Errorf("nets/cuda: NVRTC made an empty cubin for %s", target)
		}
		img = make([]byte, size)
		if err := r.rtc.err("nvrtcGetCUBIN", r.rtc.nvrtcGetCUBIN(prog, &img[0])); err != nil {
			return nil, err
		}
	} else {
		if err := r.rtc.err("nvrtcGetPTXSize", r.rtc.nvrtcGetPTXSize(prog, &size)); err != nil {
			return nil, err
		}
		img = make([]byte, size+1) // the size counts the NUL; one more for safety
		if err := r.rtc.err("nvrtcGetPTX", r.rtc.nvrtcGetPTX(prog, &img[0])); err != nil {
			return nil, err
		}
	}
	r.images[target] = img
	return img, nil
}

// programLog returns NVRTC's log for prog (the compiler's messages).
func (r *cudaRuntime) programLog(prog uintptr) string {
	var n uint64
	if r.rtc.nvrtcGetProgramLogSize(prog, &n) != 0 || n <= 1 {
		return "(no compile log)"
	}
	buf := make([]byte, n)
	if r.rtc.nvrtcGetProgramLog(prog, &buf[0]) != 0 {
		return "(no compile log)"
	}
	return strings.TrimRight(string(buf), "\x00\n")
}

// DeviceInfo describes the GPU a backend runs on and the libraries it
// loaded.
type DeviceInfo struct {
	Name          string `json:"name"`
	Ordinal       int    `json:"ordinal"`
	Major         int    `json:"major"` // compute capability
	Minor         int    `json:"minor"`
	Multiprocs    int    `json:"multiprocessors"`
	MemoryBytes   int64  `json:"memory_bytes"`
	DriverVersion int    `json:"driver_version"` // CUDA version of the driver, 13000 for 13.0
	NVRTCVersion  string `json:"nvrtc_version"`
	Driver        string `json:"driver"` // library paths (or names, when the loader found them)
	CuBLAS        string `json:"cublas"`
	NVRTC         string `json:"nvrtc"`
}

func (i DeviceInfo) String() string {
	return fmt.Sprintf("%s (compute %d.%d, %d SMs, %.0f GiB; CUDA driver %d.%d, NVRTC %s)",
		i.Name, i.Major, i.Minor, i.Multiprocs, float64(i.MemoryBytes)/(1<<30), i.DriverVersion/1000, i.DriverVersion%1000/10, i.NVRTCVersion)
}

// Probe loads the libraries (see Options.LibDirs) and describes device
// opts.Device, without creating a context. Its error matches
// ErrUnavailable when the machine has no usable GPU.
func Probe(opts Options) (DeviceInfo, error) {
	r, err := loadRuntime(opts.LibDirs)
	if err != nil {
		return DeviceInfo{}, err
	}
	_, info, err := r.device(opts.Device)
	return info, err
}

// device returns the CUdevice of an ordinal and its description.
func (r *cudaRuntime) device(ordinal int) (int32, DeviceInfo, error) {
	var n int32
	if err := r.drv.err("cuDeviceGetCount", r.drv.cuDeviceGetCount(&n)); err != nil {
		return 0, DeviceInfo{}, err
	}
	if ordinal >= int(n) {
		return 0, DeviceInfo{}, unavailable("nets/cuda: no CUDA device %d (%d found)", ordinal, n)
	}
	var dev int32
	if err := r.drv.err("cuDeviceGet", r.drv.cuDeviceGet(&dev, int32(ordinal))); err != nil {
		return 0, DeviceInfo{}, err
	}
	info := DeviceInfo{Ordinal: ordinal, DriverVersion: r.driverVersion, NVRTCVersion: r.nvrtcVersion,
		Driver: r.driverPath, CuBLAS: r.cublasPath, NVRTC: r.nvrtcPath}
	var name [256]byte
	if err := r.drv.err("cuDeviceGetName", r.drv.cuDeviceGetName(&name[0], int32(len(name)), dev)); err != nil {
		return 0, info, err
	}
	info.Name = cString(&name[0])
	attr := func(a int32) (int, error) {
		var v int32
		err := r.drv.err("cuDeviceGetAttribute", r.drv.cuDeviceGetAttribute(&v, a, dev))
		return int(v), err
	}
	var err error
	if info.Major, err = attr(cuDeviceAttrCCMajor); err != nil {
		return 0, info, err
	}
	if info.Minor, err = attr(cuDeviceAttrCCMinor); err != nil {
		return 0, info, err
	}
	if info.Multiprocs, err = attr(cuDeviceAttrMultiprocessors); err != nil {
		return 0, info, err
	}
	var mem uint64
	if err := r.drv.err("cuDeviceTotalMem", r.drv.cuDeviceTotalMem(&mem, dev)); err != nil {
		return 0, info, err
	}
	info.MemoryBytes = int64(mem)
	return dev, info, nil
}

// cudaDevice is the device of a Backend: the primary context of one GPU
// and the kernels' module loaded in it.
type cudaDevice struct {
	r      *cudaRuntime
	dev    int32
	ctx    uintptr
	module uintptr
	funcs  [numKernels]uintptr
	info   DeviceInfo
	target string // NVRTC target whose image loaded
}

var _ device = (*cudaDevice)(nil)

// openDevice retains device opts.Device's primary context and loads the
// kernels into it: a cubin for the device's architecture, or PTX for the
// driver to compile when the cubin cannot be made or loaded. The cubin
// comes first because PTX from an NVRTC newer than the driver (13.1 on a
// 13.0 driver) does not load (CUDA_ERROR_UNSUPPORTED_PTX_VERSION) while
// its cubin does; PTX is the fallback for a cubin that cannot be made or
// loaded. The primary context is the one cuBLAS (through the CUDA
// runtime inside it) uses too.
func openDevice(opts Options) (*cudaDevice, error) {
	r, err := loadRuntime(opts.LibDirs)
	if err != nil {
		return nil, err
	}
	dev, info, err := r.device(opts.Device)
	if err != nil {
		return nil, err
	}
	d := &cudaDevice{r: r, dev: dev, info: info}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := r.drv.err("cuDevicePrimaryCtxRetain", r.drv.cuDevicePrimaryCtxRetain(&d.ctx, dev)); err != nil {
		return nil, err
	}
	if err := r.drv.err("cuCtxSetCurrent", r.drv.cuCtxSetCurrent(d.ctx)); err != nil {
		r.drv.cuDevicePrimaryCtxRelease(dev)
		return nil, err
	}
	var errs []error
	for _, target := range []string{fmt.Sprintf("sm_%d%d", info.Major, info.Minor), fmt.Sprintf("compute_%d%d", info.Major, info.Minor)} {
		img, err := r.compile(target)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := r.drv.err("cuModuleLoadData ("+target+")", r.drv.cuModuleLoadData(&d.module, unsafe.Pointer(&img[0]))); err != nil {
			errs = append(errs, err)
			continue
		}
		d.target = target
		break
	}
	if d.module == 0 {
		r.drv.cuDevicePrimaryCtxRelease(dev)
		return nil, fmt.Errorf("nets/cuda: the kernels did not load on %s: %w", info.Name, errors.Join(errs...))
	}
	for k := range numKernels {
		name := kernelTable[k].name
		if err := r.drv.err("cuModuleGetFunction("+name+")", r.drv.cuModuleGetFunction(&d.funcs[k], d.module, name)); err != nil {
			r.drv.cuModuleUnload(d.module)
			r.drv.cuDevicePrimaryCtxRelease(dev)
			return nil, err
		}
	}
	return d, nil
}

func (d *cudaDevice) enter() func() {
	runtime.LockOSThread()
	// A failure here (a context destroyed under us) makes the next call
	// fail with CUDA_ERROR_INVALID_CONTEXT, which is reported there.
	d.r.drv.cuCtxSetCurrent(d.ctx)
	return runtime.UnlockOSThread
}

func (d *cudaDevice) alloc(bytes int) (devPtr, error) {
	var p devPtr
	err := d.r.drv.err(fmt.Sprintf("cuMemAlloc(%d bytes)", bytes), d.r.drv.cuMemAlloc(&p, uint64(max(bytes, 4))))
	return p, err
}

func (d *cudaDevice) free(p devPtr) error {
	if p == 0 {
		return nil
	}
	return d.r.drv.err("cuMemFree", d.r.drv.cuMemFree(p))
}

func (d *cudaDevice) upload(dst devPtr, src unsafe.Pointer, bytes int) error {
	return d.r.drv.err("cuMemcpyHtoD", d.r.drv.cuMemcpyHtoD(dst, src, uint64(bytes)))
}

func (d *cudaDevice) allocHost(floats int) ([]float32, error) {
	var p unsafe.Pointer
	if err := d.r.drv.err("cuMemAllocHost", d.r.drv.cuMemAllocHost(&p, uint64(4*max(floats, 1)))); err != nil {
		return nil, err
	}
	return unsafe.Slice((*float32)(p), floats), nil
}

func (d *cudaDevice) freeHost(h []float32) error {
	if cap(h) == 0 {
		return nil
	}
	return d.r.drv.err("cuMemFreeHost", d.r.drv.cuMemFreeHost(unsafe.Pointer(unsafe.SliceData(h))))
}

// maxKernelArgs is the most parameters a kernel may take (kernelTable's
// longest is 10).
const maxKernelArgs = 16

func (d *cudaDevice) newStream() (stream, error) {
	s := &cudaStream{d: d}
	if err := d.r.drv.err("cuStreamCreate", d.r.drv.cuStreamCreate(&s.s, cuStreamNonBlocking)); err != nil {
		return nil, err
	}
	// The launch parameters live in page-locked host memory, not Go's:
	// cuLaunchKernel gets an array of pointers to them.
	var p unsafe.Pointer
	if err := d.r.drv.err("cuMemAllocHost", d.r.drv.cuMemAllocHost(&p, 16*maxKernelArgs)); err != nil {
		d.r.drv.cuStreamDestroy(s.s)
		return nil, err
	}
	s.params = p
	if err := d.r.blas.err("cublasCreate", d.r.blas.cublasCreate(&s.blas)); err != nil {
		s.destroy()
		return nil, err
	}
	if err := d.r.blas.err("cublasSetStream", d.r.blas.cublasSetStream(s.blas, s.s)); err != nil {
		s.destroy()
		return nil, err
	}
	if err := d.r.blas.err("cublasSetMathMode", d.r.blas.cublasSetMathMode(s.blas, cublasDefaultMath)); err != nil {
		s.destroy()
		return nil, err
	}
	return s, nil
}

func (d *cudaDevice) close() error {
	leave := d.enter()
	defer leave()
	err := d.r.drv.err("cuModuleUnload", d.r.drv.cuModuleUnload(d.module))
	return errors.Join(err, d.r.drv.err("cuDevicePrimaryCtxRelease", d.r.drv.cuDevicePrimaryCtxRelease(d.dev)))
}

// cudaStream is a CUDA stream with its cuBLAS handle and its launch
// parameter block.
type cudaStream struct {
	d      *cudaDevice
	s      uintptr
	blas   uintptr
	params unsafe.Pointer // maxKernelArgs values, then maxKernelArgs pointers to them

	// GEMM scalars, read by cuBLAS on the host during the call.
	alpha, beta   float32
	dalpha, dbeta float64
}

func (s *cudaStream) htod(dst devPtr, src []float32) error {
	if len(src) == 0 {
		return nil
	}
	return s.d.r.drv.err("cuMemcpyHtoDAsync", s.d.r.drv.cuMemcpyHtoDAsync(dst, unsafe.Pointer(&src[0]), uint64(4*len(src)), s.s))
}

func (s *cudaStream) dtoh(dst []float32, src devPtr) error {
	if len(dst) == 0 {
		return nil
	}
	return s.d.r.drv.err("cuMemcpyDtoHAsync", s.d.r.drv.cuMemcpyDtoHAsync(unsafe.Pointer(&dst[0]), src, uint64(4*len(dst)), s.s))
}

// packArgs writes args into block (16*maxKernelArgs bytes): each value in
// an 8-byte slot, then the array of pointers to the slots that
// cuLaunchKernel takes; it returns that array. A kernel reads as many
// bytes of a slot as its parameter has, and the values sit at the slot's
// start (little-endian), so 4-byte ints and floats need no other care.
func packArgs(block unsafe.Pointer, args []karg) unsafe.Pointer {
	ptrs := unsafe.Add(block, 8*maxKernelArgs)
	for i, a := range args {
		slot := unsafe.Add(block, 8*i)
		*(*uint64)(slot) = a.bits
		*(*uintptr)(unsafe.Add(ptrs, 8*i)) = uintptr(slot)
	}
	return ptrs
}

func (s *cudaStream) launch(k kernelID, grid, block uint32, args []karg) error {
	if len(args) > maxKernelArgs {
		return fmt.Errorf("nets/cuda: kernel %s: %d arguments", k, len(args))
	}
	ptrs := packArgs(s.params, args)
	return s.d.r.drv.err("cuLaunchKernel("+k.String()+")", s.d.r.drv.cuLaunchKernel(s.d.funcs[k], grid, 1, 1, block, 1, 1, 0, s.s, ptrs, nil))
}

func op(trans bool) int32 {
	if trans {
		return cublasOpT
	}
	return cublasOpN
}

func (s *cudaStream) sgemm(g colGemm) error {
	s.alpha, s.beta = float32(g.alpha), float32(g.beta)
	return s.d.r.blas.err("cublasSgemm", s.d.r.blas.cublasSgemm(s.blas, op(g.transA), op(g.transB), int32(g.m), int32(g.n), int32(g.k),
		&s.alpha, g.a, int32(g.lda), g.b, int32(g.ldb), &s.beta, g.c, int32(g.ldc)))
}

func (s *cudaStream) dgemm(g colGemm) error {
	s.dalpha, s.dbeta = g.alpha, g.beta
	return s.d.r.blas.err("cublasDgemm", s.d.r.blas.cublasDgemm(s.blas, op(g.transA), op(g.transB), int32(g.m), int32(g.n), int32(g.k),
		&s.dalpha, g.a, int32(g.lda), g.b, int32(g.ldb), &s.dbeta, g.c, int32(g.ldc)))
}

func (s *cudaStream) sync() error {
	return s.d.r.drv.err("cuStreamSynchronize", s.d.r.drv.cuStreamSynchronize(s.s))
}

func (s *cudaStream) destroy() error {
	var errs []error
	if s.blas != 0 {
		errs = append(errs, s.d.r.blas.err("cublasDestroy", s.d.r.blas.cublasDestroy(s.blas)))
		s.blas = 0
	}
	if s.params != nil {
		errs = append(errs, s.d.r.drv.err("cuMemFreeHost", s.d.r.drv.cuMemFreeHost(s.params)))
		s.params = nil
	}
	if s.s != 0 {
		errs = append(errs, s.d.r.drv.err("cuStreamDestroy", s.d.r.drv.cuStreamDestroy(s.s)))
		s.s = 0
	}
	return errors.Join(errs...)
}
