package io.github.ane4j.demo;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossChartTest {
    @Test
    void theChartIsWellFormedSvgWithBothCurvesAxesAndLegend() throws Exception {
        LossHistory history = new LossHistory();
        history.addValidation(0, 4.8);
        for (int step = 1; step <= 50; step++) history.addTraining(step, 4.8 - step * 0.05);
        history.addValidation(25, 3.9);
        history.addValidation(50, 2.6);
        String svg = LossChart.svg(history, "title <with> & marks", "subtitle", Math.log(100));

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertEquals(2, doc.getElementsByTagName("polyline").getLength());
        assertEquals(3, doc.getElementsByTagName("circle").getLength()); // the validation points
        String text = doc.getDocumentElement().getTextContent();
        for (String label : new String[] {"title <with> & marks", "optimizer step", "cross-entropy loss", "training loss",
                "validation loss", "uniform guess, ln V = 4.61", "50", "4"}) {
            assertTrue(text.contains(label), label);
        }
    }

    @Test
    void tickStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(1, LossChart.niceStep(0.8), 1e-12);
        assertEquals(2, LossChart.niceStep(1.3), 1e-12);
        assertEquals(50, LossChart.niceStep(31), 1e-12);
        assertEquals(0.5, LossChart.niceStep(0.41), 1e-12);
    }
}
