package io.github.ane4j.mil;

import java.util.Objects;

/**
 * Where a logical parameter lives inside a packed input of a program built with
 * {@link MilBuilder.WeightLayout#PACKED}: a block of columns of a {@code [1, channels, 1, width]} input
 * surface (the upstream's "spatial packing" of dynamic weights next to activations).
 *
 * <p>Element {@code (r, c)} of the logical tensor (its shape with the size-1 axes dropped: {@code [R, K]}
 * for a matrix {@code [1, R, K]}, {@code [C, W]} for {@code [1, C, 1, W]}) is stored at channel {@code r},
 * column {@code offset + c}; a {@code transposed} region stores the transpose: {@code (r, c)} at channel
 * {@code c}, column {@code offset + r}. In a dense row-major surface, channel {@code ch} and column
 * {@code col} is element {@code ch · width + col}.
 *
 * @param name       the logical parameter's name, as declared to the builder
 * @param role       whether it is an activation or a weight
 * @param input      index of the packed input among the program's parameters
 * @param offset     first column of the block
 * @param rows       rows of the logical tensor ({@code R} or {@code C})
 * @param cols       columns of the logical tensor ({@code K} or {@code W})
 * @param transposed whether the block holds the transpose (channels = cols, columns = rows)
 */
public record PackedRegion(String name, Parameter.Role role, int input, long offset, long rows, long cols, boolean transposed) {
    /**
     * Checks the parts.
     *
     * @throws NullPointerException when {@code name} or {@code role} is null
     */
    public PackedRegion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }

    /**
     * Number of elements of the logical tensor.
     *
     * @return {@code rows · cols}
     */
    public long elementCount() { return rows * cols; }

    /**
     * Where a logical element lives in the packed surface. Not range-checked.
     *
     * @param r     row of the logical tensor, {@code 0 <= r < rows}
     * @param c     column of the logical tensor, {@code 0 <= c < cols}
     * @param width the packed input's width (its last dimension)
     * @return the element's index in the dense, row-major {@code [channels, width]} surface
     */
    public long index(long r, long c, long width) {
        return transposed ? c * width + offset + r : r * width + offset + c;
    }
}
