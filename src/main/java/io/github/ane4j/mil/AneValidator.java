package io.github.ane4j.mil;

import java.util.ArrayList;
import java.util.List;

/** The rules of {@link MilProgram#validateForAne()}. */
final class AneValidator {
    private AneValidator() {}

    static List<AneFinding> validate(MilProgram program) {
        return new ArrayList<>();
    }
}
