/* Per-direction edge energies of the analysis image, for livecheck.fastchecks' sharpness.
 *
 * livecheck/fastchecks.py says what is measured and why (and turns these sums into the sharpness);
 * this file only computes them. Written with NumPy they took ~40 array passes over the image
 * (four directions, each masked, dilated and summed separately): ~0.35 ms a frame; ~0.16 ms here.
 * tests/edges_reference.py holds the same sums written with NumPy and OpenCV, and
 * tests/test_edges_kernel.py checks that both agree.
 *
 * edge_energy(fine, coarse, sums, texture, reach=0)
 *   fine     float32 (H, W): the analysis image
 *   coarse   float32 (H, W): the analysis image blurred at the coarse scale
 *   sums     float64 (3, 4) or (4, 4), written: per direction (0, 90, 45, 135 degrees), over the
 *            pixels whose strongest coarse response is in that direction: the sums of fine x coarse^2,
 *            coarse^3 and coarse^2, where "coarse" is that direction's |derivative| of the coarse image
 *            and "fine" the largest |derivative| of the analysis image in the same direction within one
 *            pixel; with a fourth row, also the sum of fine / (2 detail + 1) x coarse^2, where "detail"
 *            is the largest |fine - coarse| within ``reach`` pixels (a square window)
 *   texture  float32 (H, W), written: |d/dx| + |d/dy| of the analysis image
 * Derivatives are central differences, (next - previous) / 2, and 0 on the image's first and last
 * row and column (OpenCV's default BORDER_REFLECT_101); the within-one-pixel maximum looks only at
 * pixels inside the image (cv2.dilate's default border).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

#include "_buffer.h"

#define DIRECTIONS 4

static const float INV_SQRT2 = 0.70710678118654752f;

/* |derivative| along direction i (0, 90, 45, 135 degrees) from the x and y derivatives. */
static void directional(const float *restrict dx, const float *restrict dy, int i, float *restrict out,
                        Py_ssize_t n) {
    switch (i) {
    case 0:
        for (Py_ssize_t k = 0; k < n; k++) out[k] = fabsf(dx[k]);
        break;
    case 1:
        for (Py_ssize_t k = 0; k < n; k++) out[k] = fabsf(dy[k]);
        break;
    case 2:
        for (Py_ssize_t k = 0; k < n; k++) out[k] = fabsf(dx[k] + dy[k]) * INV_SQRT2;
        break;
    default:
        for (Py_ssize_t k = 0; k < n; k++) out[k] = fabsf(dx[k] - dy[k]) * INV_SQRT2;
    }
}

/* Central differences of a plane, 0 on its first and last row and column. */
static void derivatives(const float *restrict src, Py_ssize_t h, Py_ssize_t w, float *restrict dx,
                            float *restrict dy) {
    for (Py_ssize_t y = 0; y < h; y++) {
        const float *row = src + y * w;
        float *ox = dx + y * w, *oy = dy + y * w;
        ox[0] = ox[w - 1] = 0.0f;
        for (Py_ssize_t x = 1; x < w - 1; x++) ox[x] = 0.5f * (row[x + 1] - row[x - 1]);
        if (y == 0 || y == h - 1) {
            memset(oy, 0, sizeof(float) * w);
            continue;
        }
        for (Py_ssize_t x = 0; x < w; x++) oy[x] = 0.5f * (row[x + w] - row[x - w]);
    }
}

/* The largest value within one pixel (3x3, inside the image) of each pixel of a plane. */
static void dilate3(const float *restrict src, Py_ssize_t h, Py_ssize_t w, float *restrict column_max,
                    float *restrict out) {
    for (Py_ssize_t y = 0; y < h; y++) {
        const float *mid = src + y * w;
        const float *up = y > 0 ? mid - w : mid, *down = y < h - 1 ? mid + w : mid;
        for (Py_ssize_t x = 0; x < w; x++) {
            float m = up[x] > mid[x] ? up[x] : mid[x];
            column_max[x] = down[x] > m ? down[x] : m;
        }
        float *o = out + y * w;
        for (Py_ssize_t x = 1; x < w - 1; x++) {
            float m = column_max[x - 1] > column_max[x] ? column_max[x - 1] : column_max[x];
            o[x] = column_max[x + 1] > m ? column_max[x + 1] : m;
        }
        o[0] = w > 1 && column_max[1] > column_max[0] ? column_max[1] : column_max[0];
        if (w > 1) o[w - 1] = column_max[w - 2] > column_max[w - 1] ? column_max[w - 2] : column_max[w - 1];
    }
}

/* The largest power of two that is at most n (n >= 1). */
static Py_ssize_t power_of_two_within(Py_ssize_t n) {
    Py_ssize_t p = 1;
    while (2 * p <= n) p *= 2;
    return p;
}

/* 1 / (2 detail + 1) at each pixel, where "detail" is the largest |fine - coarse| within `reach`
 * pixels (a square window, inside the image). Each pass (rows, then columns) first takes the maximum
 * over spans of a power-of-two length by doubling, then covers each window with a few overlapping
 * spans: about six comparisons a pixel instead of 2 x reach, in loops that vectorise. A row is read
 * from `line` (w + 2 reach), zero beyond its ends: |fine - coarse| >= 0, so the zeros change no
 * maximum. `spans` and `out` are H x W. */
static void inverse_detail(const float *restrict fine, const float *restrict coarse, Py_ssize_t h, Py_ssize_t w,
                           Py_ssize_t reach, float *restrict line, float *restrict spans, float *restrict out) {
    const Py_ssize_t n = h * w, sx = power_of_two_within(reach + 1);
    memset(line, 0, sizeof(float) * (w + 2 * reach));
    float *restrict m = line + reach;
    for (Py_ssize_t y = 0; y < h; y++) {
        const float *restrict f = fine + y * w, *restrict c = coarse + y * w;
        for (Py_ssize_t x = 0; x < w; x++) m[x] = fabsf(f[x] - c[x]);
        for (Py_ssize_t step = 1; step < sx; step *= 2)
            for (Py_ssize_t x = -reach; x < w + reach - step; x++) m[x] = m[x + step] > m[x] ? m[x + step] : m[x];
        float *restrict o = out + y * w;
        for (Py_ssize_t x = 0; x < w; x++) o[x] = m[x + reach - sx + 1];
        for (Py_ssize_t offset = -reach; offset < reach - sx + 1; offset += sx)
            for (Py_ssize_t x = 0; x < w; x++) o[x] = m[x + offset] > o[x] ? m[x + offset] : o[x];
        for (Py_ssize_t x = -reach; x < 0; x++) m[x] = 0.0f; /* the doubling filled them */
    }
    /* Columns: the same along y, a whole row at a time (no padding: each window is cut at the ends). */
    const Py_ssize_t ry = reach < h ? reach : h - 1, sy = power_of_two_within(ry + 1);
    for (Py_ssize_t step = 1; step < sy; step *= 2)
        for (Py_ssize_t y = 0; y < h - step; y++) {
            float *restrict a = out + y * w;
            const float *restrict b = a + step * w;
            for (Py_ssize_t x = 0; x < w; x++) a[x] = b[x] > a[x] ? b[x] : a[x];
        }
    for (Py_ssize_t y = 0; y < h; y++) {
        const Py_ssize_t lo = y > ry ? y - ry : 0, hi = y + ry < h ? y + ry : h - 1;
        float *restrict o = spans + y * w;
        memcpy(o, out + (hi - sy + 1) * w, sizeof(float) * w);
        for (Py_ssize_t j = lo; j < hi - sy + 1; j += sy) {
            const float *restrict r = out + j * w;
            for (Py_ssize_t x = 0; x < w; x++) o[x] = r[x] > o[x] ? r[x] : o[x];
        }
    }
    for (Py_ssize_t k = 0; k < n; k++) out[k] = 1.0f / (2.0f * spans[k] + 1.0f);
}

/* Add one row's contributions to the per-column sums: pixels in this direction's bin (whose response
 * c is the strongest, s) add fine x c^2, c^3 and c^2; and, where `inverse` (from inverse_detail) is
 * given, fine / (2 detail + 1) x c^2. */
static void accumulate(const float *restrict c, const float *restrict s, const float *restrict peak,
                       const float *restrict inverse, float *restrict fine, float *restrict coarse,
                       float *restrict square, float *restrict acuity, Py_ssize_t w) {
    if (inverse) {
        for (Py_ssize_t x = 0; x < w; x++) {
            const float weight = c[x] * c[x] * (float)(c[x] >= s[x]); /* no branch: vectorised */
            fine[x] += peak[x] * weight;
            coarse[x] += c[x] * weight;
            square[x] += weight;
            acuity[x] += peak[x] * inverse[x] * weight;
        }
        return;
    }
    for (Py_ssize_t x = 0; x < w; x++) {
        const float weight = c[x] * c[x] * (float)(c[x] >= s[x]);
        fine[x] += peak[x] * weight;
        coarse[x] += c[x] * weight;
        square[x] += weight;
    }
}

static PyObject *edge_energy(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *fine_obj, *coarse_obj, *sums_obj, *texture_obj;
    Py_ssize_t reach = 0;
    if (!PyArg_ParseTuple(args, "OOOO|n", &fine_obj, &coarse_obj, &sums_obj, &texture_obj, &reach)) return NULL;
    Py_buffer fine = {0}, coarse = {0}, sums = {0}, texture = {0};
    PyObject *result = NULL;
    if (get_buffer(fine_obj, &fine, 0, "f", 4, "fine") < 0 || get_buffer(coarse_obj, &coarse, 0, "f", 4, "coarse") < 0 ||
        get_buffer(sums_obj, &sums, 1, "d", 8, "sums") < 0 || get_buffer(texture_obj, &texture, 1, "f", 4, "texture") < 0)
        goto done;
    if (fine.ndim != 2 || fine.shape[0] < 1 || fine.shape[1] < 1) {
        PyErr_SetString(PyExc_ValueError, "fine must be a non-empty H x W image");
        goto done;
    }
    const Py_ssize_t h = fine.shape[0], w = fine.shape[1], n = h * w;
    const int rows = (int)(sums.len / (DIRECTIONS * 8)); /* 3, or 4 with the acuity sums */
    if (coarse.len != n * 4 || texture.len != n * 4 || (rows != 3 && rows != 4) || sums.len != rows * DIRECTIONS * 8) {
        PyErr_SetString(PyExc_ValueError, "coarse and texture must be H x W, sums (3, 4) or (4, 4)");
        goto done;
    }
    if (reach < 0) {
        PyErr_SetString(PyExc_ValueError, "reach must be >= 0");
        goto done;
    }
    /* Planes: fine dx, dy; coarse dx, dy; one direction's fine response and its dilation; the
     * strongest coarse response; the inverse detail and its spans; a padded row; per-column sums. */
    float *planes = PyMem_RawMalloc(sizeof(float) * (9 * n + w + 2 * reach));
    float *column_sums = PyMem_RawMalloc(sizeof(float) * 4 * w); /* a column holds at most a few hundred */
    if (!planes || !column_sums) {
        PyMem_RawFree(planes);
        PyMem_RawFree(column_sums);
        PyErr_NoMemory();
        goto done;
    }
    double *out = (double *)sums.buf;
    Py_BEGIN_ALLOW_THREADS
    float *fdx = planes, *fdy = fdx + n, *cdx = fdy + n, *cdy = cdx + n;
    float *response = cdy + n, *peak = response + n, *strongest = peak + n, *inverse = strongest + n;
    float *scratch = inverse + n; /* inverse_detail's row pass, then dilate3's column maxima */
    float *tex = (float *)texture.buf;
    if (rows == 4)
        inverse_detail((const float *)fine.buf, (const float *)coarse.buf, h, w, reach, scratch + n, scratch, inverse);
    derivatives((const float *)fine.buf, h, w, fdx, fdy);
    derivatives((const float *)coarse.buf, h, w, cdx, cdy);
    for (Py_ssize_t k = 0; k < n; k++) tex[k] = fabsf(fdx[k]) + fabsf(fdy[k]);
    /* Each pixel counts in the direction(s) of its strongest coarse response. */
    directional(cdx, cdy, 0, strongest, n);
    for (int i = 1; i < DIRECTIONS; i++) {
        directional(cdx, cdy, i, response, n);
        for (Py_ssize_t k = 0; k < n; k++) strongest[k] = response[k] > strongest[k] ? response[k] : strongest[k];
    }
    for (int i = 0; i < DIRECTIONS; i++) {
        directional(fdx, fdy, i, response, n);
        dilate3(response, h, w, scratch, peak);
        memset(column_sums, 0, sizeof(float) * 4 * w);
        float *fine_sum = column_sums, *coarse_sum = fine_sum + w, *square_sum = coarse_sum + w;
        float *acuity_sum = square_sum + w;
        for (Py_ssize_t y = 0; y < h; y++) {
            const Py_ssize_t row = y * w;
            directional(cdx + row, cdy + row, i, response, w); /* this direction's coarse response */
            accumulate(response, strongest + row, peak + row, rows == 4 ? inverse + row : NULL, fine_sum,
                       coarse_sum, square_sum, acuity_sum, w);
        }
        for (int k = 0; k < rows; k++) {
            double total = 0.0;
            for (Py_ssize_t x = 0; x < w; x++) total += column_sums[k * w + x];
            out[k * DIRECTIONS + i] = total;
        }
    }
    Py_END_ALLOW_THREADS
    PyMem_RawFree(planes);
    PyMem_RawFree(column_sums);
    result = Py_None;
    Py_INCREF(result);
done:
    if (fine.obj) PyBuffer_Release(&fine);
    if (coarse.obj) PyBuffer_Release(&coarse);
    if (sums.obj) PyBuffer_Release(&sums);
    if (texture.obj) PyBuffer_Release(&texture);
    return result;
}

static PyMethodDef methods[] = {
    {"edge_energy", edge_energy, METH_VARARGS,
     "edge_energy(fine, coarse, sums, texture): per-direction edge energies (see the module source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "livecheck._edges",
                                    "Per-direction edge energies (the hot loop of livecheck.fastchecks' sharpness).",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__edges(void) { return PyModule_Create(&module); }
