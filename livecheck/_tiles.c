/* Per-tile noise statistics for livecheck.noise, in one pass over the frame.
 *
 * livecheck/noise.py says what is measured and why, and makes every decision (which tiles, gates,
 * quantiles, calibration); this file only computes the statistics. It exists because they are
 * hundreds of small array operations (64 tiles of 16x16 px, 3x3 and 9x9 covariances, eigenvalues),
 * which NumPy spends more time dispatching than computing: ~0.6 ms of a 1.4 ms frame at 1080p;
 * ~0.15-0.2 ms here.
 * tests/noise_reference.py holds the same statistics written with NumPy and OpenCV, and
 * tests/test_noise_kernel.py checks that both agree.
 *
 * tile_statistics(frame, top_left, side, kernel, colour, stats, clipped, luma_smallest)
 *   frame          uint8 (H, W, 3), C-contiguous: the BGR frame
 *   top_left       int64 (T, 2): row and column of each tile (side x side px) in the frame
 *   side           tile side, a multiple of 8 (so that each scale's tile side n = side / 4 is even)
 *   kernel         float32 (5,): the Gaussian whose residual is the high-pass
 *   colour         0: fine-scale luma statistics only (grey frames); 1: both scales, colour too
 *   stats          float64 (3, 2, T), written: per scale (fine: each tile's central n x n px;
 *                  coarse: the whole tile binned 4x4) and tile, the smallest eigenvalue of the
 *                  residual's 3x3 colour covariance, the luma variance and the B+G+R variance
 *   clipped        float64 (T,), written: per tile, the largest share over B, G, R of 4x4 blocks
 *                  whose mean exceeds 254.5 (blown highlights)
 *   luma_smallest  float64 (L,), written: for the L fine tiles of least residual luma energy, the
 *                  smallest eigenvalue of the covariance of their luma's 3x3 patches
 * Everything is measured over each tile's interior (MARGIN px in from its border), on every other
 * column, exactly as the NumPy reference does.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

#include "_buffer.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define MARGIN 2
#define MAX_N 16 /* tiles of at most 64 px: 16 px per scale */
#define PATCH 9

static const double LUMA_WEIGHTS[3] = {0.114, 0.587, 0.299}; /* B, G, R (Rec. 601) */

/* A tile at one scale: n x n pixels, B, G, R, as float. */
typedef struct {
    int n;
    float px[MAX_N][MAX_N][3];
} Tile;

typedef struct {
    double residual[3][3]; /* second moments of the high-pass residual */
    double pixels[3][3];   /* covariance of the pixels */
} TileMoments;

static void crop_fine(const unsigned char *frame, Py_ssize_t row_stride, Py_ssize_t y, Py_ssize_t x,
                      int n, Tile *out) {
    out->n = n;
    for (int r = 0; r < n; r++) {
        const unsigned char *src = frame + (y + r) * row_stride + x * 3;
        float *row = &out->px[r][0][0];
        for (int k = 0; k < n * 3; k++) row[k] = (float)src[k];
    }
}

/* 4x4 block means of a (4n x 4n) tile, and per channel the number of blocks over 254.5. */
static void bin4(const unsigned char *frame, Py_ssize_t row_stride, Py_ssize_t y, Py_ssize_t x,
                 int n, Tile *out, int blown[3]) {
    unsigned short rows[4 * MAX_N * 3]; /* four rows summed, per column and channel */
    const int width = 4 * n * 3;
    out->n = n;
    blown[0] = blown[1] = blown[2] = 0;
    for (int r = 0; r < n; r++) {
        const unsigned char *src = frame + (y + 4 * r) * row_stride + x * 3;
        for (int k = 0; k < width; k++)
            rows[k] = (unsigned short)(src[k] + src[k + row_stride] + src[k + 2 * row_stride] + src[k + 3 * row_stride]);
        for (int c = 0; c < n; c++)
            for (int ch = 0; ch < 3; ch++) {
                const unsigned short *group = rows + 12 * c + ch;
                float mean = (float)(group[0] + group[3] + group[6] + group[9]) * (1.0f / 16.0f);
                out->px[r][c][ch] = mean;
                blown[ch] += mean > 254.5f;
            }
    }
}

/* Residual (pixel minus Gaussian blur) and pixel moments over the interior, every other column. */
static void moments(const Tile *t, const float kernel[5], TileMoments *out) {
    const int n = t->n, half = 2;
    float rows[MAX_N][MAX_N][3]; /* blurred along rows, at the sampled columns only */
    double er[3][3] = {{0}}, pp[3][3] = {{0}}, pm[3] = {0};
    int count = 0;
    for (int r = 0; r < n; r++)
        for (int c = MARGIN; c < n - MARGIN; c += 2)
            for (int ch = 0; ch < 3; ch++) {
                float s = 0.0f;
                for (int k = 0; k < 5; k++) s += kernel[k] * t->px[r][c + k - half][ch];
                rows[r][c][ch] = s;
            }
    for (int r = MARGIN; r < n - MARGIN; r++)
        for (int c = MARGIN; c < n - MARGIN; c += 2) {
            double e[3], p[3];
            for (int ch = 0; ch < 3; ch++) {
                float s = 0.0f;
                for (int k = 0; k < 5; k++) s += kernel[k] * rows[r + k - half][c][ch];
                p[ch] = t->px[r][c][ch];
                e[ch] = p[ch] - s;
            }
            for (int a = 0; a < 3; a++) {
                pm[a] += p[a];
                for (int b = 0; b <= a; b++) {
                    er[a][b] += e[a] * e[b];
                    pp[a][b] += p[a] * p[b];
                }
            }
            count++;
        }
    for (int a = 0; a < 3; a++)
        for (int b = 0; b <= a; b++) {
            double res = er[a][b] / count;
            double cov = pp[a][b] / count - (pm[a] / count) * (pm[b] / count);
            out->residual[a][b] = out->residual[b][a] = res;
            out->pixels[a][b] = out->pixels[b][a] = cov;
        }
}

static double weighted(const double m[3][3]) {
    double s = 0.0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) s += LUMA_WEIGHTS[a] * m[a][b] * LUMA_WEIGHTS[b];
    return s;
}

/* Smallest eigenvalue of a symmetric 3x3 matrix: trigonometric solution of the characteristic cubic. */
static double smallest_eigenvalue3(const double m[3][3]) {
    double q = (m[0][0] + m[1][1] + m[2][2]) / 3.0;
    double a = m[0][0] - q, b = m[1][1] - q, c = m[2][2] - q;
    double d = m[0][1], e = m[1][2], f = m[0][2];
    double p2 = (a * a + b * b + c * c + 2.0 * (d * d + e * e + f * f)) / 6.0;
    double p = sqrt(p2);
    double det = a * (b * c - e * e) - d * (d * c - e * f) + f * (d * e - b * f);
    double denominator = 2.0 * p2 * p;
    double r = det / (denominator > 1e-30 ? denominator : 1e-30);
    r = r < -1.0 ? -1.0 : (r > 1.0 ? 1.0 : r);
    double value = q + 2.0 * p * cos(acos(r) / 3.0 + 2.0 * M_PI / 3.0);
    return value > 0.0 ? value : 0.0;
}

/* Number of eigenvalues below x of the symmetric tridiagonal matrix (diagonal d, off-diagonal e):
 * the sign changes of its Sturm sequence. */
static int eigenvalues_below(const double d[PATCH], const double e[PATCH], double x) {
    int count = 0;
    double q = d[0] - x;
    for (int i = 0;; i++) {
        count += q < 0.0;
        if (i == PATCH - 1) return count;
        if (q == 0.0) q = 1e-300;
        q = d[i + 1] - x - e[i] * e[i] / q;
    }
}

/* Smallest eigenvalue of a symmetric PATCH x PATCH matrix (overwritten): Householder reduction to
 * tridiagonal form, then bisection on its Sturm sequence, inside Gershgorin's bounds. */
static double smallest_eigenvalue9(double a[PATCH][PATCH]) {
    double d[PATCH], e[PATCH] = {0};
    for (int k = 0; k < PATCH - 2; k++) {
        const int first = k + 1, m = PATCH - first; /* the trailing block: rows and columns first.. */
        double v[PATCH], p[PATCH], norm = 0.0;
        for (int i = 0; i < m; i++) norm += a[first + i][k] * a[first + i][k];
        norm = sqrt(norm);
        const double alpha = a[first][k] > 0.0 ? -norm : norm;
        double vv = 0.0;
        for (int i = 0; i < m; i++) v[i] = a[first + i][k];
        v[0] -= alpha;
        for (int i = 0; i < m; i++) vv += v[i] * v[i];
        e[k] = alpha;
        if (vv == 0.0) { e[k] = a[first][k]; continue; }
        const double beta = 2.0 / vv;
        double vp = 0.0;
        for (int i = 0; i < m; i++) { /* p = beta A v */
            double s = 0.0;
            for (int j = 0; j < m; j++) s += a[first + i][first + j] * v[j];
            p[i] = beta * s;
            vp += v[i] * p[i];
        }
        const double half = 0.5 * beta * vp;
        for (int i = 0; i < m; i++) p[i] -= half * v[i]; /* q = p - (beta/2)(v.p) v */
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) a[first + i][first + j] -= v[i] * p[j] + p[i] * v[j];
    }
    e[PATCH - 2] = a[PATCH - 1][PATCH - 2];
    double lo = 0.0, hi = 0.0;
    for (int i = 0; i < PATCH; i++) {
        d[i] = a[i][i];
        double radius = (i > 0 ? fabs(e[i - 1]) : 0.0) + (i < PATCH - 1 ? fabs(e[i]) : 0.0);
        if (i == 0 || d[i] - radius < lo) lo = d[i] - radius;
        if (i == 0 || d[i] + radius > hi) hi = d[i] + radius;
    }
    const double tolerance = 1e-12 * (fabs(lo) > fabs(hi) ? fabs(lo) : fabs(hi)) + 1e-300;
    while (hi - lo > tolerance) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        if (eigenvalues_below(d, e, mid) >= 1) hi = mid; else lo = mid;
    }
    double smallest = 0.5 * (lo + hi);
    return smallest > 0.0 ? smallest : 0.0;
}

/* Smallest eigenvalue of the covariance of the 3x3 patches of a tile's luma. */
static double luma_patch_smallest(const Tile *t) {
    const int n = t->n, span = n - 2;
    float grey[MAX_N][MAX_N];
    float shifted[PATCH][(MAX_N - 2) * (MAX_N - 2)]; /* patch element k at every patch position */
    double mean[PATCH], cov[PATCH][PATCH];
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) /* as cv2.cvtColor(COLOR_BGR2GRAY) on float */
            grey[r][c] = t->px[r][c][0] * 0.114f + t->px[r][c][1] * 0.587f + t->px[r][c][2] * 0.299f;
    const float centre = grey[n / 2][n / 2]; /* smaller numbers: less cancellation in the covariance */
    for (int k = 0; k < PATCH; k++)
        for (int r = 0; r < span; r++)
            for (int c = 0; c < span; c++) shifted[k][r * span + c] = grey[r + k / 3][c + k % 3] - centre;
    const int count = span * span;
    for (int i = 0; i < PATCH; i++) {
        float sum = 0.0f;
        for (int p = 0; p < count; p++) sum += shifted[i][p];
        mean[i] = (double)sum / count;
    }
    for (int i = 0; i < PATCH; i++)
        for (int j = 0; j <= i; j++) {
            double sum = 0.0;
            for (int p = 0; p < count; p++) sum += (double)shifted[i][p] * shifted[j][p];
            cov[i][j] = cov[j][i] = sum / count - mean[i] * mean[j];
        }
    return smallest_eigenvalue9(cov);
}

typedef struct {
    Py_buffer frame, top_left, kernel, stats, clipped, luma;
} Buffers;

static void release(Buffers *b) {
    Py_buffer *all[] = {&b->frame, &b->top_left, &b->kernel, &b->stats, &b->clipped, &b->luma};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (all[i]->obj) PyBuffer_Release(all[i]);
}

static PyObject *tile_statistics(PyObject *self, PyObject *args) {
    PyObject *frame_obj, *top_left_obj, *kernel_obj, *stats_obj, *clipped_obj, *luma_obj;
    int side, colour;
    if (!PyArg_ParseTuple(args, "OOiOpOOO", &frame_obj, &top_left_obj, &side, &kernel_obj, &colour,
                          &stats_obj, &clipped_obj, &luma_obj))
        return NULL;
    Buffers b;
    memset(&b, 0, sizeof(b));
    if (get_buffer(frame_obj, &b.frame, 0, "B", 1, "frame") < 0 ||
        get_buffer(top_left_obj, &b.top_left, 0, "lq", 8, "top_left") < 0 ||
        get_buffer(kernel_obj, &b.kernel, 0, "f", 4, "kernel") < 0 ||
        get_buffer(stats_obj, &b.stats, 1, "d", 8, "stats") < 0 ||
        get_buffer(clipped_obj, &b.clipped, 1, "d", 8, "clipped") < 0 ||
        get_buffer(luma_obj, &b.luma, 1, "d", 8, "luma_smallest") < 0) {
        release(&b);
        return NULL;
    }
    const int n = side / 4;
    const Py_ssize_t tiles = b.top_left.len / 16, luma_count = b.luma.len / 8;
    const char *problem = NULL;
    if (b.frame.ndim != 3 || b.frame.shape[2] != 3) problem = "frame must be H x W x 3";
    else if (b.top_left.ndim != 2 || b.top_left.shape[1] != 2) problem = "top_left must be (T, 2)";
    else if (side % 8 || n < 2 * MARGIN + 4 || n > MAX_N) problem = "side must be a multiple of 8 in 32..64";
    else if (b.kernel.len != 5 * 4) problem = "kernel must hold 5 values";
    else if (b.stats.len != 3 * 2 * tiles * 8) problem = "stats must be (3, 2, T)";
    else if (b.clipped.len != tiles * 8) problem = "clipped must be (T,)";
    else if (luma_count < 1 || luma_count > tiles) problem = "luma_smallest must hold 1..T values";
    const Py_ssize_t height = b.frame.ndim == 3 ? b.frame.shape[0] : 0;
    const Py_ssize_t width = b.frame.ndim == 3 ? b.frame.shape[1] : 0;
    const long long *corners = (const long long *)b.top_left.buf;
    for (Py_ssize_t t = 0; !problem && t < tiles; t++)
        if (corners[2 * t] < 0 || corners[2 * t + 1] < 0 || corners[2 * t] + side > height ||
            corners[2 * t + 1] + side > width)
            problem = "a tile lies outside the frame";
    if (problem) {
        PyErr_SetString(PyExc_ValueError, problem);
        release(&b);
        return NULL;
    }
    double *stats = (double *)b.stats.buf, *clipped = (double *)b.clipped.buf, *luma = (double *)b.luma.buf;
    const unsigned char *frame = (const unsigned char *)b.frame.buf;
    const Py_ssize_t row_stride = width * 3;
    const float *kernel = (const float *)b.kernel.buf;
    Tile *fine = PyMem_RawMalloc(sizeof(Tile) * tiles);
    double *residual_luma = PyMem_RawMalloc(sizeof(double) * tiles);
    if (!fine || !residual_luma) {
        PyMem_RawFree(fine);
        PyMem_RawFree(residual_luma);
        release(&b);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    const int start = (side - n) / 2;
    for (Py_ssize_t t = 0; t < tiles; t++) {
        const Py_ssize_t y = corners[2 * t], x = corners[2 * t + 1];
        TileMoments m;
        crop_fine(frame, row_stride, y + start, x + start, n, &fine[t]);
        moments(&fine[t], kernel, &m);
        residual_luma[t] = weighted(m.residual);
        stats[t] = colour ? smallest_eigenvalue3(m.residual) : 0.0;
        stats[2 * tiles + t] = weighted(m.pixels);
        stats[4 * tiles + t] = m.pixels[0][0] + m.pixels[1][1] + m.pixels[2][2];
        if (colour) {
            Tile coarse;
            int blown[3];
            bin4(frame, row_stride, y, x, n, &coarse, blown);
            moments(&coarse, kernel, &m);
            stats[tiles + t] = smallest_eigenvalue3(m.residual);
            stats[3 * tiles + t] = weighted(m.pixels);
            stats[5 * tiles + t] = m.pixels[0][0] + m.pixels[1][1] + m.pixels[2][2];
            int most = blown[0] > blown[1] ? blown[0] : blown[1];
            most = most > blown[2] ? most : blown[2];
            clipped[t] = (double)most / (n * n);
        } else {
            stats[tiles + t] = stats[3 * tiles + t] = stats[5 * tiles + t] = 0.0;
            clipped[t] = 0.0;
        }
    }
    /* The luma_count quietest fine tiles (least residual luma energy; ties: the earlier tile). */
    for (Py_ssize_t k = 0; k < luma_count; k++) {
        Py_ssize_t best = -1;
        for (Py_ssize_t t = 0; t < tiles; t++)
            if (residual_luma[t] >= 0.0 && (best < 0 || residual_luma[t] < residual_luma[best])) best = t;
        residual_luma[best] = -1.0; /* taken */
        luma[k] = luma_patch_smallest(&fine[best]);
    }
    Py_END_ALLOW_THREADS
    PyMem_RawFree(fine);
    PyMem_RawFree(residual_luma);
    release(&b);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"tile_statistics", tile_statistics, METH_VARARGS,
     "tile_statistics(frame, top_left, side, kernel, colour, stats, clipped, luma_smallest): "
     "per-tile noise statistics (see the module source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "livecheck._tiles",
                                    "Per-tile noise statistics (the hot loop of livecheck.noise).",
                                    -1, methods};

PyMODINIT_FUNC PyInit__tiles(void) { return PyModule_Create(&module); }
