package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitMix64Test {
    @Test
    void seedZeroGivesTheReferenceSequence() {
        SplitMix64 random = new SplitMix64(0); // values of the reference C implementation (Vigna)
        assertEquals(0xE220A8397B1DCDAFL, random.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, random.nextLong());
        assertEquals(0x06C45D188009454FL, random.nextLong());
    }

    @Test
    void aGeneratorMadeFromTheStateContinuesTheSequence() {
        SplitMix64 random = new SplitMix64(123);
        for (int i = 0; i < 5; i++) random.nextLong();
        SplitMix64 copy = new SplitMix64(random.state());
        for (int i = 0; i < 10; i++) assertEquals(random.nextLong(), copy.nextLong());
    }

    @Test
    void boundedIntsAndDoublesStayInRange() {
        SplitMix64 random = new SplitMix64(5);
        for (int i = 0; i < 10_000; i++) {
            int n = random.nextInt(7);
            double d = random.nextDouble();
            assertTrue(n >= 0 && n < 7 && d >= 0 && d < 1);
        }
    }
}
