/* Ops that move elements without computing new ones: reshape, transpose, slices, concat, split, gather,
 * band_part. Their results need no rounding: they hold values of the input's dtype already. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "reference/plan.h"

/* A config vector must have one entry per axis of x. */
static int require_length(const mil_stmt *s, const char *key, int n, int rank) {
    if (n == rank) return 0;
    mil_pos pos = ref_operand_pos(s, key);
    ane_error_set_at(pos.line, pos.column, "%s of %s has %d entries, x has rank %d", key, s->op, n, rank);
    return -1;
}

static ref_step *data_step(ref_builder *b, ref_opcode op, const mil_stmt *s, int n_in, int out) {
    ref_step *st = ref_new_step(b, op, s, n_in, out);
    if (st) st->round = 0;
    return st;
}

/* ---- reshape --------------------------------------------------------------------------------------- */

int ref_infer_reshape(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, n;
    int64_t shape[MIL_MAX_RANK];
    if (ref_operand(b, s, "x", 1, &x) || ref_const_ints(b, s, "shape", 1, shape, MIL_MAX_RANK, &n) < 0)
        return -1;
    ref_shape xs = ref_shape_of(ref_type(b, x));
    int64_t count = (int64_t)ref_shape_count(&xs);
    /* 0 copies the input dim at the same position counted from the right (1 past its rank): iOS17. */
    for (int i = 0; i < n; i++) {
        int j = xs.rank - (n - i);
        if (shape[i] == 0) shape[i] = j >= 0 ? xs.dim[j] : 1;
    }
    int infer_at = -1;
    int64_t known = 1;
    for (int i = 0; i < n; i++) {
        if (shape[i] == -1 && infer_at < 0) {
            infer_at = i;
        } else if (shape[i] < 1) {
            return ref_operand_error(s, "shape", "entries must be positive, 0 or a single -1 (entry %d is %lld)", i,
                                     (long long)shape[i]);
        } else if (__builtin_mul_overflow(known, shape[i], &known)) {
            return ref_operand_error(s, "shape", "the shape has too many elements");
        }
    }
    if (infer_at >= 0) {
        if (known > count || count % known != 0)
            return ref_operand_error(s, "shape", "no size for the -1 entry keeps the element count");
        shape[infer_at] = count / known;
        known = count;
    }
    if (known != count) {
        mil_pos pos = ref_operand_pos(s, "shape");
        ane_error_set_at(pos.line, pos.column, "reshape of %lld elements into a shape of %lld elements",
                         (long long)count, (long long)known);
        return -1;
    }
    ref_shape os = {.rank = n};
    for (int i = 0; i < n; i++) os.dim[i] = shape[i];
    ref_make_view(b, res[0], x);
    *inferred = ref_tensor_type(ref_type(b, x)->dtype, &os);
    return 0;
}

/* ---- transpose ------------------------------------------------------------------------------------- */

int ref_infer_transpose(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, n;
    int64_t perm[MIL_MAX_RANK];
    if (ref_operand(b, s, "x", 1, &x) || ref_const_ints(b, s, "perm", 1, perm, MIL_MAX_RANK, &n) < 0) return -1;
    ref_shape xs = ref_shape_of(ref_type(b, x)), os = {.rank = xs.rank};
    if (require_length(s, "perm", n, xs.rank)) return -1;
    ref_step *st = data_step(b, REF_OP_TRANSPOSE, s, 1, res[0]);
    if (!st) return -1;
    int used = 0;
    for (int i = 0; i < n; i++) {
        if (ref_axis(b, s, "perm", perm[i], xs.rank, &st->perm[i])) return -1;
        if (used & (1 << st->perm[i])) return ref_operand_error(s, "perm", "perm repeats axis %d", st->perm[i]);
        used |= 1 << st->perm[i];
        os.dim[i] = xs.dim[st->perm[i]];
    }
    st->in[0] = x;
    st->shape[0] = xs;
    st->out_shape = os;
    *inferred = ref_tensor_type(ref_type(b, x)->dtype, &os);
    return 0;
}

/* ---- slices ---------------------------------------------------------------------------------------- */

static ref_step *slice_step(ref_builder *b, const mil_stmt *s, int x, int out, const ref_shape *xs) {
    ref_step *st = data_step(b, REF_OP_SLICE, s, 1, out);
    if (!st) return NULL;
    st->in[0] = x;
    st->shape[0] = *xs;
    st->out_shape = *xs;
    for (int i = 0; i < xs->rank; i++) st->v1[i] = 1;
    return st;
}

int ref_infer_slice_by_size(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, nb, ns;
    int64_t begin[MIL_MAX_RANK], size[MIL_MAX_RANK];
    if (ref_operand(b, s, "x", 1, &x) || ref_const_ints(b, s, "begin", 1, begin, MIL_MAX_RANK, &nb) < 0 ||
        ref_const_ints(b, s, "size", 1, size, MIL_MAX_RANK, &ns) < 0)
        return -1;
    ref_shape xs = ref_shape_of(ref_type(b, x));
    if (require_length(s, "begin", nb, xs.rank) || require_length(s, "size", ns, xs.rank)) return -1;
    ref_step *st = slice_step(b, s, x, res[0], &xs);
    if (!st) return -1;
    for (int i = 0; i < xs.rank; i++) {
        int64_t d = xs.dim[i], at = begin[i] < 0 ? begin[i] + d : begin[i];
        if (at < 0 || at >= d)
            return ref_operand_error(s, "begin", "begin is outside x (%lld on axis %d of size %lld)", (long long)begin[i],
                                     i, (long long)d);
        int64_t len = size[i] == -1 ? d - at : size[i];
        if (len < 1 || len > d - at)
            return ref_operand_error(s, "size", "size must be -1 or 1..(dim - begin) (%lld on axis %d of size %lld from %lld)",
                                     (long long)size[i], i, (long long)d, (long long)at);
        st->v0[i] = at;
        st->out_shape.dim[i] = len;
    }
    *inferred = ref_tensor_type(ref_type(b, x)->dtype, &st->out_shape);
    return 0;
}

/* NumPy's x[begin:end:stride] on one axis of size d: first index and length. */
static int64_t slice_axis(int64_t d, int64_t begin, int64_t end, int64_t stride, int begin_mask, int end_mask,
                          int64_t *first) {
    if (stride > 0) {
        begin = begin_mask ? 0 : begin < 0 ? (begin + d < 0 ? 0 : begin + d) : (begin > d ? d : begin);
        end = end_mask ? d : end < 0 ? (end + d < 0 ? 0 : end + d) : (end > d ? d : end);
        *first = begin;
        return end > begin ? (end - begin - 1) / stride + 1 : 0;
    }
    begin = begin_mask ? d - 1 : begin < 0 ? (begin + d < 0 ? -1 : begin + d) : (begin >= d ? d - 1 : begin);
    end = end_mask ? -1 : end < 0 ? (end + d < 0 ? -1 : end + d) : (end >= d ? d - 1 : end);
    *first = begin;
    return begin > end ? (begin - end - 1) / -stride + 1 : 0;
}

/* An optional bool per axis (out untouched when absent). */
static int axis_flags(ref_builder *b, const mil_stmt *s, const char *key, int rank, int *out) {
    int n, rc = ref_const_bools(b, s, key, 0, out, MIL_MAX_RANK, &n);
    return rc < 0 || (rc && require_length(s, key, n, rank)) ? -1 : 0;
}

int ref_infer_slice_by_index(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, nb, ne, n;
    int64_t begin[MIL_MAX_RANK], end[MIL_MAX_RANK], stride[MIL_MAX_RANK];
    int bmask[MIL_MAX_RANK] = {0}, emask[MIL_MAX_RANK] = {0}, squeeze[MIL_MAX_RANK] = {0};
    if (ref_operand(b, s, "x", 1, &x) || ref_const_ints(b, s, "begin", 1, begin, MIL_MAX_RANK, &nb) < 0 ||
        ref_const_ints(b, s, "end", 1, end, MIL_MAX_RANK, &ne) < 0)
        return -1;
    ref_shape xs = ref_shape_of(ref_type(b, x));
    if (require_length(s, "begin", nb, xs.rank) || require_length(s, "end", ne, xs.rank)) return -1;
    for (int i = 0; i < xs.rank; i++) stride[i] = 1;
    int rc;
    if ((rc = ref_const_ints(b, s, "stride", 0, stride, MIL_MAX_RANK, &n)) < 0) return -1;
    if (rc && require_length(s, "stride", n, xs.rank)) return -1;
    if (axis_flags(b, s, "begin_mask", xs.rank, bmask) || axis_flags(b, s, "end_mask", xs.rank, emask) ||
        axis_flags(b, s, "squeeze_mask", xs.rank, squeeze))
        return -1;

    ref_step *st = slice_step(b, s, x, res[0], &xs);
    if (!st) return -1;
    ref_shape os = {0};
    for (int i = 0; i < xs.rank; i++) {
        int64_t d = xs.dim[i], first, len;
        if (squeeze[i]) {
            first = begin[i] < 0 ? begin[i] + d : begin[i];
            if (first < 0 || first >= d)
                return ref_operand_error(s, "begin", "squeezed index is outside x (%lld on axis %d of size %lld)",
                                         (long long)begin[i], i, (long long)d);
            len = 1;
        } else {
            if (stride[i] == 0) return ref_operand_error(s, "stride", "stride must not be 0 (axis %d)", i);
            len = slice_axis(d, begin[i], end[i], stride[i], bmask[i], emask[i], &first);
            if (len < 1)
                return ref_operand_error(s, "end", "the slice is empty (axis %d: begin %lld, end %lld, stride %lld)", i,
                                         (long long)begin[i], (long long)end[i], (long long)stride[i]);
            /* A single element needs no step; with two or more, |stride| < d keeps every offset in range. */
            st->v1[i] = len > 1 ? stride[i] : 1;
        }
        st->v0[i] = first;
        st->out_shape.dim[i] = len;
        if (!squeeze[i]) os.dim[os.rank++] = len;
    }
    *inferred = ref_tensor_type(ref_type(b, x)->dtype, &os);
    return 0;
}

/* ---- concat / split -------------------------------------------------------------------------------- */

int ref_infer_concat(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int *ids, n, interleave = 0;
    int64_t axis64;
    if (ref_operand_tuple(b, s, "values", &ids, &n)) return -1;
    int rc = ref_const_int(b, s, "axis", 1, &axis64) < 0 || ref_const_bool(b, s, "interleave", 0, &interleave) < 0;
    const mil_type *t0 = rc ? NULL : ref_type(b, ids[0]);
    ref_shape os = t0 ? ref_shape_of(t0) : (ref_shape){0};
    int axis = 0;
    if (!rc && t0->rank < 1) rc = ref_operand_error(s, "values", "values must have rank 1 or more");
    if (!rc) rc = ref_axis(b, s, "axis", axis64, t0->rank, &axis);
    for (int i = 1; i < n && !rc; i++) {
        const mil_type *t = ref_type(b, ids[i]);
        if (t->dtype != t0->dtype) rc = ref_operand_error(s, "values", "values must all have the same dtype");
        else if (t->rank != t0->rank) rc = ref_operand_error(s, "values", "values must all have the same rank");
        for (int k = 0; k < t0->rank && !rc; k++)
            if ((k != axis || interleave) && t->dims[k] != t0->dims[k])
                rc = ref_operand_error(s, "values", interleave ? "interleaved values must have equal shapes"
                                                              : "values differ in a dimension other than axis");
        if (!rc && __builtin_add_overflow(os.dim[axis], t->dims[axis], &os.dim[axis]))
            rc = ref_operand_error(s, "values", "the %d values make axis %d longer than 2^63", n, axis);
    }
    ref_step *st = rc ? NULL : data_step(b, REF_OP_CONCAT, s, n, res[0]);
    if (st) {
        memcpy(st->in, ids, (size_t)n * sizeof(int));
        st->axis = axis;
        st->flag0 = interleave;
        st->out_shape = os;
        *inferred = ref_tensor_type(t0->dtype, &os);
    }
    free(ids);
    return st ? 0 : -1;
}

int ref_infer_split(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, axis, n_sizes = 0;
    int64_t axis64, num = 0, sizes[64];
    if (ref_operand(b, s, "x", 1, &x) || ref_const_int(b, s, "axis", 1, &axis64) < 0) return -1;
    ref_shape xs = ref_shape_of(ref_type(b, x));
    if (ref_axis(b, s, "axis", axis64, xs.rank, &axis)) return -1;
    int64_t d = xs.dim[axis];
    int has_num = ref_const_int(b, s, "num_splits", 0, &num);
    int has_sizes = ref_const_ints(b, s, "split_sizes", 0, sizes, 64, &n_sizes);
    if (has_num < 0 || has_sizes < 0) return -1;
    if (!has_num && !has_sizes) return ref_operand_error(s, "x", "split needs num_splits or split_sizes");
    if (has_sizes) {
        int64_t sum = 0;
        for (int i = 0; i < n_sizes; i++) {
            if (sizes[i] < 1)
                return ref_operand_error(s, "split_sizes", "split sizes must be positive (entry %d is %lld)", i,
                                         (long long)sizes[i]);
            sum += sizes[i];
        }
        if (sum != d)
            return ref_operand_error(s, "split_sizes", "split sizes do not add up to the axis size (%lld, not %lld)",
                                     (long long)sum, (long long)d);
        if (has_num && num != n_sizes)
            return ref_operand_error(s, "num_splits", "num_splits disagrees with split_sizes");
    } else {
        if (num < 1 || num > 64 || d % num != 0)
            return ref_operand_error(s, "num_splits", "num_splits must divide the axis size (%lld into %lld)",
                                     (long long)num, (long long)d);
        n_sizes = (int)num;
        for (int i = 0; i < n_sizes; i++) sizes[i] = d / num;
    }
    if (n_sizes != s->n_results) {
        ane_error_set_at(s->pos.line, s->pos.column, "split makes %d pieces but the statement names %d results",
                         n_sizes, s->n_results);
        return -1;
    }
    int64_t at = 0;
    for (int i = 0; i < n_sizes; i++) {
        ref_step *st = slice_step(b, s, x, res[i], &xs);
        if (!st) return -1;
        st->v0[axis] = at;
        st->out_shape.dim[axis] = sizes[i];
        at += sizes[i];
        inferred[i] = ref_tensor_type(ref_type(b, x)->dtype, &st->out_shape);
    }
    return 0;
}

/* ---- gather / band_part ---------------------------------------------------------------------------- */

int ref_infer_gather(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, idx, axis;
    int64_t axis64 = 0, batch_dims = 0;
    int validate = 0;
    if (ref_operand(b, s, "x", 1, &x) || ref_operand(b, s, "indices", 1, &idx) ||
        ref_const_int(b, s, "axis", 0, &axis64) < 0 || ref_const_int(b, s, "batch_dims", 0, &batch_dims) < 0 ||
        ref_const_bool(b, s, "validate_indices", 0, &validate) < 0)
        return -1;
    (void)validate; /* accepted; indices are always checked */
    if (batch_dims != 0) return ref_operand_error(s, "batch_dims", "only batch_dims = 0 is supported");
    if (!ref_is_int(ref_type(b, idx)->dtype)) return ref_operand_error(s, "indices", "indices must be integers");
    ref_shape xs = ref_shape_of(ref_type(b, x)), is = ref_shape_of(ref_type(b, idx)), os = {0};
    if (ref_axis(b, s, "axis", axis64, xs.rank, &axis)) return -1;
    if (xs.rank - 1 + is.rank > MIL_MAX_RANK) return ref_operand_error(s, "indices", "the result has too many axes");
    for (int i = 0; i < axis; i++) os.dim[os.rank++] = xs.dim[i];
    for (int i = 0; i < is.rank; i++) os.dim[os.rank++] = is.dim[i];
    for (int i = axis + 1; i < xs.rank; i++) os.dim[os.rank++] = xs.dim[i];
    const ref_value *iv = &b->plan->values[idx];
    if (iv->kind == REF_VAL_CONST) /* known now: refuse now rather than at every eval */
        for (size_t i = 0; i < ref_shape_count(&is); i++)
            if (iv->data[i] < (float)-xs.dim[axis] || iv->data[i] >= (float)xs.dim[axis])
                return ref_operand_error(s, "indices", "an index is out of range (%g for axis %d of size %lld)",
                                         (double)iv->data[i], axis, (long long)xs.dim[axis]);
    ref_step *st = data_step(b, REF_OP_GATHER, s, 2, res[0]);
    if (!st) return -1;
    st->in[0] = x;
    st->in[1] = idx;
    st->shape[0] = xs;
    st->shape[1] = is;
    st->axis = axis;
    st->out_shape = os;
    *inferred = ref_tensor_type(ref_type(b, x)->dtype, &os);
    return 0;
}

int ref_infer_band_part(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x;
    int64_t lower = -1, upper = -1;
    if (ref_operand(b, s, "x", 1, &x) || ref_const_int(b, s, "lower", 0, &lower) < 0 ||
        ref_const_int(b, s, "upper", 0, &upper) < 0)
        return -1;
    if (ref_type(b, x)->rank < 2) return ref_operand_error(s, "x", "x must have rank 2 or more");
    ref_step *st = data_step(b, REF_OP_BAND_PART, s, 1, res[0]);
    if (!st) return -1;
    st->in[0] = x;
    st->shape[0] = ref_shape_of(ref_type(b, x));
    st->i0 = lower;
    st->i1 = upper;
    *inferred = *ref_type(b, x);
    return 0;
}
