// kernels.cu: the CUDA C kernels of package nets/cuda, compiled at run time
// by NVRTC (see kernels.go). Every kernel is extern "C" (its name is what
// Go launches), takes only pointers, int, float and double parameters, and
// walks its elements with a grid-stride loop, so any grid size is correct.
//
// Rules that the tests rely on (kernels_test.go checks them):
//   - one thread's work never depends on another's: no __shared__ memory,
//     no __syncthreads, no atomics. The host simulator in the tests runs
//     the threads one after another, which is then exact.
//   - no #include: NVRTC compiles this without the CUDA headers; the math
//     functions used (tanh, pow, fmaxf) are NVRTC built-ins.
//
// Layouts (see doc.go): activations are channel-major over the batch,
// x[c][p] with p = pos*hw + y*w + x and a channel stride P = n*hw.
// Every kernel mirrors a loop of nets/cpu; the comments name it.

#define TENGEN_LOOP(i, total) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(total); \
         i += (long long)blockDim.x * gridDim.x)

// act: 0 none, 1 ReLU, 2 tanh (tanh in double, as nets/cpu does).
__device__ __forceinline__ float tengen_act(float v, int act) {
    if (act == 1) {
        return v > 0.0f ? v : 0.0f;
    }
    if (act == 2) {
        return (float)tanh((double)v);
    }
    return v;
}

// nchw_to_cnhw: the caller's positions in[pos][ch][s] to x[ch][pos*hw+s].
extern "C" __global__ void nchw_to_cnhw(const float* in, float* out, int n, int c, int hw) {
    long long chw = (long long)c * hw;
    long long P = (long long)n * hw;
    TENGEN_LOOP(i, (long long)n * chw) {
        long long pos = i / chw;
        long long r = i - pos * chw;
        long long ch = r / hw;
        long long s = r - ch * hw;
        out[ch * P + pos * hw + s] = in[i];
    }
}

// im2col: columns [c0, c0+cnt) of the lowered input, col[row][t] with row
// = (ch*k + i)*k + j and column p = c0 + t, holding src[ch][pos, y+i-k/2,
// x+j-k/2] or 0 outside the map (nets/cpu im2col).
extern "C" __global__ void im2col(const float* src, int P, int c, int h, int w, int k, int c0, int cnt, float* col) {
    int hw = h * w;
    int kk = k * k;
    int pad = k / 2;
    TENGEN_LOOP(idx, (long long)c * kk * cnt) {
        long long row = idx / cnt;
        int t = (int)(idx - row * cnt);
        int ch = (int)(row / kk);
        int ij = (int)(row - (long long)ch * kk);
        int i = ij / k;
        int j = ij - i * k;
        long long p = (long long)c0 + t;
        long long pos = p / hw;
        int r = (int)(p - pos * hw);
        int y = r / w;
        int x = r - y * w;
        int sy = y + i - pad;
        int sx = x + j - pad;
        float v = 0.0f;
        if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
            v = src[(long long)ch * P + pos * hw + sy * w + sx];
        }
        col[idx] = v;
    }
}

// bias_act: x[f][p] = act(x[f][p] + bias[f]) over f x P values (nets/cpu
// biasAct).
extern "C" __global__ void bias_act(float* x, const float* bias, int f, int P, int act) {
    TENGEN_LOOP(i, (long long)f * P) {
        x[i] = tengen_act(x[i] + bias[i / P], act);
    }
}

// activate: x = act(x) over total values (nets/cpu actOp).
extern "C" __global__ void activate(float* x, int total, int act) {
    TENGEN_LOOP(i, total) {
        x[i] = tengen_act(x[i], act);
    }
}

// lrn: dst[ch][p] = src[ch][p] / (k + alphaN * sum of src[j][p]^2 over the
// n channels around ch)^beta, the sum in float, the power in double
// (nets/cpu lrnOp).
extern "C" __global__ void lrn(const float* src, float* dst, int c, int P, int n, float k, float alphaN, double beta) {
    int half = n / 2;
    TENGEN_LOOP(i, (long long)c * P) {
        int ch = (int)(i / P);
        long long p = i - (long long)ch * P;
        int lo = ch - half > 0 ? ch - half : 0;
        int hi = ch + half < c - 1 ? ch + half : c - 1;
        float s = 0.0f;
        for (int j = lo; j <= hi; j++) {
            float v = src[(long long)j * P + p];
            s += v * v;
        }
        float d = k + alphaN * s;
        dst[i] = src[i] / (float)pow((double)d, beta);
    }
}

// maxpool: window size x size, stride, padding size/2, positions outside
// the map ignored (nets/cpu poolOp). The window's centre is always inside
// the map, so it seeds the maximum.
extern "C" __global__ void maxpool(const float* src, float* dst, int c, int n, int ih, int iw, int oh, int ow, int size, int stride) {
    long long ohw = (long long)oh * ow;
    long long ihw = (long long)ih * iw;
    int pad = size / 2;
    TENGEN_LOOP(i, (long long)c * n * ohw) {
        long long plane = i / ohw; // ch*n + pos
        int r = (int)(i - plane * ohw);
        int oy = r / ow;
        int ox = r - oy * ow;
        const float* in = src + plane * ihw;
        int cy = oy * stride;
        int cx = ox * stride;
        float m = in[cy * iw + cx];
        for (int y = cy - pad; y <= cy + pad; y++) {
            if (y < 0 || y >= ih) {
                continue;
            }
            for (int x = cx - pad; x <= cx + pad; x++) {
                if (x < 0 || x >= iw) {
                    continue;
                }
                m = fmaxf(m, in[y * iw + x]);
            }
        }
        dst[i] = m;
    }
}

// gather_heads: the heads' channels x[c][pos*hw+s] (c < pf policy, then
// vf value channels) to per-position rows flattened C, H, W, as the dense
// layers want them: xp[pos][c*hw+s] in float, xv[pos][c*hw+s] in double
// (nets/cpu headOp).
extern "C" __global__ void gather_heads(const float* x, int n, int hw, int pf, int vf, float* xp, double* xv) {
    long long P = (long long)n * hw;
    int nc = pf + vf;
    TENGEN_LOOP(i, (long long)nc * P) {
        int ch = (int)(i / P);
        long long p = i - (long long)ch * P;
        long long pos = p / hw;
        int s = (int)(p - pos * hw);
        float v = x[i];
        if (ch < pf) {
            xp[pos * pf * hw + (long long)ch * hw + s] = v;
        } else {
            xv[pos * vf * hw + (long long)(ch - pf) * hw + s] = (double)v;
        }
    }
}

// fill_rows: y[r][j] = b[j] for rows x cols (the dense policy head's bias,
// before its GEMM adds the products).
extern "C" __global__ void fill_rows(float* y, const float* b, int rows, int cols) {
    TENGEN_LOOP(i, (long long)rows * cols) {
        y[i] = b[i % cols];
    }
}

// policy_points: the "conv" policy head's point logits pol[pos][s] = pb +
// sum over c of pw[c] * xp[pos][c*hw+s], and the pass slot pol[pos][hw] =
// passB, to which the pass GEMM then adds its products (nets/cpu headOp).
extern "C" __global__ void policy_points(const float* xp, const float* pw, float pb, float passB, int n, int pf, int hw, float* pol) {
    int moves = hw + 1;
    TENGEN_LOOP(i, (long long)n * moves) {
        long long pos = i / moves;
        int s = (int)(i - pos * moves);
        if (s == hw) {
            pol[i] = passB;
            continue;
        }
        const float* row = xp + pos * pf * hw;
        float v = pb;
        for (int c = 0; c < pf; c++) {
            v += pw[c] * row[(long long)c * hw + s];
        }
        pol[i] = v;
    }
}

// value_out: the value head after its hidden layer h1 (n x hidden, summed
// in double): val[pos] = tanh(b2 + sum of w2[i] * relu(float(h1) + b1[i]))
// with the float rounding and double sum of nets/cpu headOp.
extern "C" __global__ void value_out(const double* h1, const float* b1, const float* w2, float b2, int hidden, int n, float* val) {
    TENGEN_LOOP(pos, n) {
        double v = (double)b2;
        for (int i = 0; i < hidden; i++) {
            float a = (float)h1[pos * hidden + i] + b1[i];
            a = a > 0.0f ? a : 0.0f;
            v += (double)w2[i] * (double)a;
        }
        val[pos] = (float)tanh(v);
    }
}

// pool_value: the pooled value head's features, per position the mean
// (summed in double, rounded to float) and the maximum of each of its vf
// channels x[pf+c][pos*hw+s]: xv[pos][c] and xv[pos][vf+c], in double for
// the hidden layer's DGEMM (nets/cpu headOp).
extern "C" __global__ void pool_value(const float* x, int n, int hw, int pf, int vf, double* xv) {
    long long P = (long long)n * hw;
    TENGEN_LOOP(i, (long long)n * vf) {
        long long pos = i / vf;
        int c = (int)(i - pos * vf);
        const float* plane = x + (long long)(pf + c) * P + pos * hw;
        double sum = 0.0;
        float m = plane[0];
        for (int s = 0; s < hw; s++) {
            sum += (double)plane[s];
            m = fmaxf(m, plane[s]);
        }
        xv[pos * 2 * vf + c] = (double)(float)(sum / (double)hw);
        xv[pos * 2 * vf + vf + c] = (double)m;
    }
}

// score_out: the score head after its hidden layer h1 (n x hidden, summed
// in double): out[pos] = b2 + sum of w2[i] * relu(float(h1) + b1[i]), as
// value_out without the tanh (nets/cpu headOp).
extern "C" __global__ void score_out(const double* h1, const float* b1, const float* w2, float b2, int hidden, int n, float* out) {
    TENGEN_LOOP(pos, n) {
        double v = (double)b2;
        for (int i = 0; i < hidden; i++) {
            float a = (float)h1[pos * hidden + i] + b1[i];
            a = a > 0.0f ? a : 0.0f;
            v += (double)w2[i] * (double)a;
        }
        out[pos] = (float)v;
    }
}

// ownership_out: own[pos][s] = tanh(ob + sum over c of ow[c] *
// x[off+c][pos*hw+s]), the sum in float in channel order, the tanh in
// double (nets/cpu headOp).
extern "C" __global__ void ownership_out(const float* x, int n, int hw, int off, int of, const float* ow, float ob, float* own) {
    long long P = (long long)n * hw;
    TENGEN_LOOP(i, (long long)n * hw) {
        float z = ob;
        for (int c = 0; c < of; c++) {
            z += ow[c] * x[(long long)(off + c) * P + i];
        }
        own[i] = (float)tanh((double)z);
    }
}
