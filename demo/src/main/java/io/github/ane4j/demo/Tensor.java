package io.github.ane4j.demo;

/**
 * A named parameter (or its gradient, or an optimizer moment): a row-major {@code rows × cols} matrix in
 * {@code data}. Vectors have one row.
 *
 * @param decayed whether AdamW applies weight decay to it (matrices yes, RMSNorm gains no)
 */
record Tensor(String name, float[] data, int rows, int cols, boolean decayed) {
    Tensor {
        if (data.length != rows * cols) {
            throw new IllegalArgumentException(name + " has " + data.length + " values, not " + rows + " × " + cols);
        }
    }

    String shape() { return rows == 1 ? "[" + cols + "]" : "[" + rows + ", " + cols + "]"; }
}
