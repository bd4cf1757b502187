/* Kernels that reduce over axes: reduce_*, softmax, layer_norm. Each splits the tensor into a walk over
 * the kept axes (one "group" per output position) and a walk over the reduced axes inside a group. */
#include "reference/ops_util.h"

#include <math.h>

typedef struct axes_split {
    ops_walk kept, red;      /* operand 0: element offsets in x (and in out where out has x's layout) */
    int64_t n_kept, n_red;
    int64_t red_inner, red_step; /* length and stride of the reduced walk's innermost row */
} axes_split;

static void split_axes(const ref_shape *s, unsigned mask, axes_split *sp) {
    int64_t st[REF_MAX_RANK];
    ops_strides(s, st);
    sp->kept = (ops_walk){ .rank = s->rank, .n = 1 };
    sp->red = (ops_walk){ .rank = s->rank, .n = 1 };
    sp->n_kept = sp->n_red = 1;
    for (int i = 0; i < s->rank; i++) {
        int reduced = (mask >> i) & 1u;
        sp->kept.dim[i] = reduced ? 1 : s->dim[i];
        sp->red.dim[i] = reduced ? s->dim[i] : 1;
        sp->kept.stride[0][i] = sp->red.stride[0][i] = st[i];
        *(reduced ? &sp->n_red : &sp->n_kept) *= s->dim[i];
    }
    ops_walk_coalesce(&sp->kept);
    ops_walk_coalesce(&sp->red);
    sp->red_inner = sp->red.dim[sp->red.rank - 1];
    sp->red_step = sp->red.stride[0][sp->red.rank - 1];
}

static int64_t group_base(const axes_split *sp, int64_t g) {
    int64_t off;
    ops_walk_offsets(&sp->kept, g, &off);
    return off;
}

static int64_t row_offset(const axes_split *sp, int64_t r) {
    int64_t off;
    ops_walk_offsets(&sp->red, r, &off);
    return off;
}

static float reduce_group(ref_reduce_op op, const float *x, const axes_split *sp) {
    float acc = op == REF_REDUCE_PROD ? 1.0f : op == REF_REDUCE_MAX ? -INFINITY
              : op == REF_REDUCE_MIN ? INFINITY : 0.0f;
    int64_t step = sp->red_step;
    for (int64_t r = 0; r < sp->n_red; r += sp->red_inner) {
        const float *p = x + row_offset(sp, r);
        for (int64_t j = 0; j < sp->red_inner; j++) {
            float v = p[j * step];
            switch (op) {
            case REF_REDUCE_SUM: case REF_REDUCE_MEAN: acc += v; break;
            case REF_REDUCE_PROD: acc *= v; break;
            case REF_REDUCE_MAX: acc = v > acc ? v : acc; break;
            case REF_REDUCE_MIN: acc = v < acc ? v : acc; break;
            }
        }
    }
    return op == REF_REDUCE_MEAN ? acc / (float)sp->n_red : acc;
}

void ref_reduce(ref_reduce_op op, const float *x, const ref_shape *s, unsigned axes_mask, float *out) {
    axes_split sp;
    split_axes(s, axes_mask, &sp);
    if (sp.n_red == 0) { /* empty reduction: the identity of the op (mean of nothing is NaN) */
        float id = op == REF_REDUCE_PROD ? 1.0f : op == REF_REDUCE_MAX ? -INFINITY
                 : op == REF_REDUCE_MIN ? INFINITY : op == REF_REDUCE_MEAN ? NAN : 0.0f;
        for (int64_t g = 0; g < sp.n_kept; g++) out[g] = id;
        return;
    }
    for (int64_t g = 0; g < sp.n_kept; g++) out[g] = reduce_group(op, x + group_base(&sp, g), &sp);
}

void ref_softmax(const float *x, const ref_shape *s, int axis, float *out) {
    axes_split sp;
    split_axes(s, 1u << axis, &sp);
    if (sp.n_red == 0) return;
    int64_t step = sp.red_step;
    for (int64_t g = 0; g < sp.n_kept; g++) {
        int64_t base = group_base(&sp, g);
        float mx = reduce_group(REF_REDUCE_MAX, x + base, &sp), sum = 0.0f;
        for (int64_t r = 0; r < sp.n_red; r += sp.red_inner) {
            int64_t o = base + row_offset(&sp, r);
            for (int64_t j = 0; j < sp.red_inner; j++) {
                float e = expf(x[o + j * step] - mx);
                out[o + j * step] = e;
                sum += e;
            }
        }
        float inv = 1.0f / sum;
        for (int64_t r = 0; r < sp.n_red; r += sp.red_inner) {
            int64_t o = base + row_offset(&sp, r);
            for (int64_t j = 0; j < sp.red_inner; j++) out[o + j * step] *= inv;
        }
    }
}

void ref_layer_norm(const float *x, const ref_shape *s, unsigned axes_mask, const float *gamma,
                    const float *beta, float eps, float *out) {
    axes_split sp;
    split_axes(s, axes_mask, &sp);
    if (sp.n_red == 0) return;
    int64_t step = sp.red_step;
    for (int64_t g = 0; g < sp.n_kept; g++) {
        int64_t base = group_base(&sp, g);
        float mean = reduce_group(REF_REDUCE_MEAN, x + base, &sp), var = 0.0f;
        for (int64_t r = 0; r < sp.n_red; r += sp.red_inner) {
            const float *p = x + base + row_offset(&sp, r);
            for (int64_t j = 0; j < sp.red_inner; j++) {
                float d = p[j * step] - mean;
                var += d * d;
            }
        }
        float inv = 1.0f / sqrtf(var / (float)sp.n_red + eps);
        for (int64_t r = 0; r < sp.n_red; r += sp.red_inner) {
            int64_t o = base + row_offset(&sp, r);
            for (int64_t j = 0; j < sp.red_inner; j++) {
                float v = (x[o + j * step] - mean) * inv;
                if (gamma) v *= gamma[r + j];
                if (beta) v += beta[r + j];
                out[o + j * step] = v;
            }
        }
    }
}
