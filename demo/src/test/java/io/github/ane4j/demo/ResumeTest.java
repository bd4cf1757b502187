package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training N steps straight and N/2 + N/2 through a checkpoint end in the same state, bit for bit. */
class ResumeTest {
    @TempDir
    Path folder;

    @Test
    void aResumedRunEndsInTheSameStateAsAnUninterruptedOne() throws Exception {
        Path straight = folder.resolve("straight.ckpt"), half = folder.resolve("half.ckpt"), resumed = folder.resolve("resumed.ckpt");
        String out = folder.toString();
        DemoRunner a = DemoRunner.run(DemoRunner.TINY, "--steps", "12", "--eval-every", "3", "--out", out, "--save", straight.toString());
        DemoRunner b = DemoRunner.run(DemoRunner.TINY, "--steps", "12", "--eval-every", "3", "--stop-at", "6", "--out", out,
                "--save", half.toString());
        DemoRunner c = DemoRunner.run(DemoRunner.TINY, "--resume", half.toString(), "--eval-every", "3", "--out", out,
                "--save", resumed.toString());
        assertEquals(0, a.code() + b.code() + c.code(), a.err() + b.err() + c.err());

        Checkpoint first = Checkpoint.read(half);
        assertEquals(6, first.step());
        assertTrue(c.out().contains("resuming    " + half + " at step 6"), c.out());
        assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(resumed),
                "weights, moments, sampler state and loss curves after 12 steps");
        assertEquals(a.outcome()[1], c.outcome()[1]);
        assertEquals(a.outcome()[0], c.outcome()[0], "the resumed curve starts where the first run's did");
    }

    @Test
    void resumingACheckpointThatIsAlreadyAtTheLastStepIsAUsageError() throws Exception {
        Path file = folder.resolve("done.ckpt");
        assertEquals(0, DemoRunner.run(DemoRunner.TINY, "--steps", "2", "--out", folder.toString(), "--save", file.toString()).code());
        DemoRunner again = DemoRunner.run(DemoRunner.TINY, "--resume", file.toString(), "--out", folder.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("is at step 2: give --steps (or --stop-at) beyond it"), again.err());
    }

    @Test
    void theModelSizeCannotChangeOnResume() throws Exception {
        Path file = folder.resolve("run.ckpt");
        DemoRunner.run(DemoRunner.TINY, "--steps", "2", "--stop-at", "1", "--out", folder.toString(), "--save", file.toString());
        DemoRunner changed = DemoRunner.run(DemoRunner.TINY, "--resume", file.toString(), "--dim", "32", "--out", folder.toString());
        assertEquals(2, changed.code());
        assertTrue(changed.err().contains("the model's sizes cannot change on --resume"), changed.err());
    }
}
