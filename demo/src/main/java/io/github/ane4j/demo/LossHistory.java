package io.github.ane4j.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The loss curves of a run: the training loss of every step and the validation loss at intervals. */
final class LossHistory {
    /** The loss after optimizer step {@code step} (0: before the first). */
    record Point(int step, double loss) {}

    private final List<Point> training = new ArrayList<>();
    private final List<Point> validation = new ArrayList<>();

    void addTraining(int step, double loss) { training.add(new Point(step, loss)); }

    void addValidation(int step, double loss) { validation.add(new Point(step, loss)); }

    List<Point> training() { return Collections.unmodifiableList(training); }

    List<Point> validation() { return Collections.unmodifiableList(validation); }

    /** The last validation point, or null. */
    Point lastValidation() { return validation.isEmpty() ? null : validation.getLast(); }
}
