package ecgdetector.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UcrClassesTest {

    @Test
    void findsABeatsClassByItsSamples() {
        UcrFile.Labelled file = new UcrFile.Labelled(
                new EcgDataset(
                        new Heartbeats(new float[][] {{1f, 2f}, {3f, 4f}}, new boolean[] {true, false}), "x", "x"),
                List.of(UcrClass.NORMAL, UcrClass.PVC));
        UcrClasses classes = new UcrClasses(List.of(file));

        assertThat(classes.of(new float[] {3f, 4f})).contains(UcrClass.PVC);
        assertThat(classes.of(new float[] {1f, 2f})).contains(UcrClass.NORMAL);
        assertThat(classes.of(new float[] {1f, 2.5f})).isEmpty();
    }
}
