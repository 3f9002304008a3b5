// refgemm.h: the reference GEMM of the two test doubles of nets/cuda
// (hostsim.cpp, the host simulator, and fakecuda.cpp, the fake cuBLAS).
#pragma once

// Column-major C = alpha*op(A)*op(B) + beta*C, accumulating in T as cuBLAS
// does; C is not read when beta == 0.
template <typename T>
static void gemm(bool ta, bool tb, int m, int n, int k, T alpha, const T* A, int lda, const T* B, int ldb, T beta, T* C, int ldc) {
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
            T s = 0;
            for (int l = 0; l < k; l++) {
                T a = ta ? A[l + (long long)i * lda] : A[i + (long long)l * lda];
                T b = tb ? B[j + (long long)l * ldb] : B[l + (long long)j * ldb];
                s += a * b;
            }
            T* c = &C[i + (long long)j * ldc];
            *c = beta == 0 ? alpha * s : alpha * s + beta * *c;
        }
    }
}
