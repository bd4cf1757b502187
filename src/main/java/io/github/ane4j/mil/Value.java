package io.github.ane4j.mil;

/**
 * A value being built by a {@link MilBuilder}: a parameter, a constant or an op result, with its name
 * and the type the builder inferred. Only the builder that made it accepts it.
 */
public final class Value {
    private final MilBuilder owner;
    private final String name;
    private final MilType type;

    Value(MilBuilder owner, String name, MilType type) {
        this.owner = owner;
        this.name = name;
        this.type = type;
    }

    /**
     * Its name in the MIL text.
     *
     * @return the name, unique in the function
     */
    public String name() { return name; }

    /**
     * Its type.
     *
     * @return a tensor, or a scalar (rank 0)
     */
    public MilType type() { return type; }

    /**
     * Its element type.
     *
     * @return the dtype
     */
    public ElementType dtype() { return MilType.elementType(type); }

    /**
     * Its dimensions.
     *
     * @return the dimensions, outermost first (empty for a scalar); a copy
     */
    public long[] shape() { return MilType.shape(type); }

    /**
     * Number of axes.
     *
     * @return the rank, 0 for a scalar
     */
    public int rank() { return MilType.shape(type).length; }

    /**
     * One dimension.
     *
     * @param axis the axis; negative axes count from the end ({@code -1} is the last)
     * @return dimension {@code axis}
     * @throws IndexOutOfBoundsException when the axis is out of range
     */
    public long dim(int axis) {
        long[] shape = shape();
        int a = axis < 0 ? axis + shape.length : axis;
        if (a < 0 || a >= shape.length) throw new IndexOutOfBoundsException("axis " + axis + " of " + this);
        return shape[a];
    }

    MilBuilder owner() { return owner; }

    /** {@code name: type}, as error messages show values. */
    @Override
    public String toString() { return name + ": " + type.text(); }
}
