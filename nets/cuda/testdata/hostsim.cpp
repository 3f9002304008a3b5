// hostsim.cpp: a host simulator of the device that nets/cuda's tests use
// in place of a GPU (hostsim_test.go). It compiles kernels.cu with the
// C++ compiler, runs each launch's threads one after another (exact,
// since no kernel shares memory between threads), keeps "device memory"
// in malloc'd blocks (filled with NaN bytes, so reads of unwritten memory
// show), and computes column-major GEMMs as cuBLAS defines them. Built
// with AddressSanitizer when available, so out-of-bounds accesses abort.
//
// Protocol on stdin/stdout, little-endian, one command at a time; every
// reply starts with a status byte (0 ok, 1 error followed by a u32 length
// and the message):
//   'A' u64 bytes                 -> u64 address
//   'F' u64 address
//   'W' u64 address, u64 n, n bytes
//   'R' u64 address, u64 n        -> n bytes
//   'L' u32 kernel, u32 grid, u32 block, u32 nargs, nargs x u64
//   'S' / 'D' (float / double GEMM): u8 transA, u8 transB, i32 m, n, k,
//       f64 alpha, f64 beta, u64 A, i32 lda, u64 B, i32 ldb, u64 C, i32 ldc
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

struct tengen_dim3 {
    unsigned int x, y, z;
};
static tengen_dim3 blockIdx, threadIdx, blockDim, gridDim;
#define __global__
#define __device__
#define __forceinline__ inline

#include "kernels.cu"

static void readAll(void* p, size_t n) {
    if (n > 0 && fread(p, 1, n, stdin) != n) {
        exit(0);
    }
}
template <typename T> static T rd() {
    T v;
    readAll(&v, sizeof v);
    return v;
}
static void writeAll(const void* p, size_t n) {
    if (n > 0) {
        fwrite(p, 1, n, stdout);
    }
}
static void ok() {
    uint8_t s = 0;
    writeAll(&s, 1);
}
static void fail(const std::string& m) {
    uint8_t s = 1;
    uint32_t n = (uint32_t)m.size();
    writeAll(&s, 1);
    writeAll(&n, 4);
    writeAll(m.data(), n);
}

template <typename F> static void run(F f, uint32_t grid, uint32_t block) {
    gridDim = {grid, 1, 1};
    blockDim = {block, 1, 1};
    for (uint32_t b = 0; b < grid; b++) {
        blockIdx = {b, 0, 0};
        for (uint32_t t = 0; t < block; t++) {
            threadIdx = {t, 0, 0};
            f();
        }
    }
}

static float f32(uint64_t bits) {
    uint32_t u = (uint32_t)bits;
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static double f64(uint64_t bits) {
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

#include "refgemm.h"

template <typename T> static void gemmCommand() {
    bool ta = rd<uint8_t>() != 0, tb = rd<uint8_t>() != 0;
    int m = rd<int32_t>(), n = rd<int32_t>(), k = rd<int32_t>();
    double alpha = rd<double>(), beta = rd<double>();
    const T* A = (const T*)(uintptr_t)rd<uint64_t>();
    int lda = rd<int32_t>();
    const T* B = (const T*)(uintptr_t)rd<uint64_t>();
    int ldb = rd<int32_t>();
    T* C = (T*)(uintptr_t)rd<uint64_t>();
    int ldc = rd<int32_t>();
    gemm<T>(ta, tb, m, n, k, (T)alpha, A, lda, B, ldb, (T)beta, C, ldc);
    ok();
}

static bool launch(uint32_t kernel, uint32_t grid, uint32_t block, const uint64_t* a) {
    switch (kernel) {
#include "dispatch.inc"
    default:
        return false;
    }
    return true;
}

int main() {
    for (;;) {
        int op = fgetc(stdin);
        if (op == EOF) {
            return 0;
        }
        switch (op) {
        case 'A': {
            uint64_t n = rd<uint64_t>();
            void* p = malloc(n > 0 ? n : 1);
            memset(p, 0xff, n); // NaN in every float and double
            uint64_t v = (uint64_t)(uintptr_t)p;
            ok();
            writeAll(&v, 8);
            break;
        }
        case 'F':
            free((void*)(uintptr_t)rd<uint64_t>());
            ok();
            break;
        case 'W': {
            uint64_t p = rd<uint64_t>(), n = rd<uint64_t>();
            readAll((void*)(uintptr_t)p, n);
            ok();
            break;
        }
        case 'R': {
            uint64_t p = rd<uint64_t>(), n = rd<uint64_t>();
            ok();
            writeAll((const void*)(uintptr_t)p, n);
            break;
        }
        case 'L': {
            uint32_t kernel = rd<uint32_t>(), grid = rd<uint32_t>(), block = rd<uint32_t>(), n = rd<uint32_t>();
            uint64_t a[32];
            if (n > 32) {
                fail("too many arguments");
                break;
            }
            for (uint32_t i = 0; i < n; i++) {
                a[i] = rd<uint64_t>();
            }
            if (launch(kernel, grid, block, a)) {
                ok();
            } else {
                fail("unknown kernel " + std::to_string(kernel));
            }
            break;
        }
        case 'S':
            gemmCommand<float>();
            break;
        case 'D':
            gemmCommand<double>();
            break;
        default:
            fail(std::string("unknown command ") + (char)op);
        }
        fflush(stdout);
    }
}
