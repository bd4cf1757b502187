package io.github.ane4j;

/** The upstream bridge scenarios on the portable reference backend (runs everywhere). */
class ReferenceBridgeScenariosTest extends BridgeScenarios {
    @Override
    Backend backend() { return Backend.REFERENCE; }
}
