package io.github.ane4j;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** The upstream bridge scenarios on the Apple Neural Engine: only with -Dane4j.hardware=true on an Apple
 *  Silicon Mac. */
@Tag("hardware")
@EnabledIfSystemProperty(named = "ane4j.hardware", matches = "true",
        disabledReason = "needs the Apple Neural Engine: run with -Dane4j.hardware=true on an Apple Silicon Mac")
class AneBridgeScenariosTest extends BridgeScenarios {
    @Override
    Backend backend() { return Backend.ANE; }
}
