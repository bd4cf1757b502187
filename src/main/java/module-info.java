/**
 * ane4j: compile and run MIL programs on the Apple Neural Engine, or on the portable CPU reference backend,
 * through the native bridge {@code libane_bridge}. Entry point: {@link io.github.ane4j.Ane}.
 *
 * <p>The module calls restricted FFM methods: run with {@code --enable-native-access=io.github.ane4j}
 * (module path) or {@code --enable-native-access=ALL-UNNAMED} (class path).
 */
module io.github.ane4j {
    exports io.github.ane4j;
    exports io.github.ane4j.mil;
    exports io.github.ane4j.kernels;
}
