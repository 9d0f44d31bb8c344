package ecgdetector.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EcgCsvTest {

    private static Heartbeats parse(String text) throws Exception {
        return EcgCsv.parse(text.getBytes(StandardCharsets.UTF_8), 3, "f.csv");
    }

    @Test
    void readsSamplesAndLabels() throws Exception {
        Heartbeats beats = parse("1.5,-2,3e-1,1.0\n0,0,0,0.0\r\n\n4, 5 ,6,1\n");

        assertThat(beats.size()).isEqualTo(3);
        assertThat(beats.beats()[0]).containsExactly(1.5f, -2f, 0.3f);
        assertThat(beats.beats()[2]).containsExactly(4f, 5f, 6f);
        assertThat(beats.normal()).containsExactly(true, false, true);
    }

    @Test
    void wrongColumnCountNamesTheLine() {
        assertThatThrownBy(() -> parse("1,2,3,1\n1,2,1\n"))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("f.csv line 2: 3 columns, expected 4 (3 samples and a label)");
    }

    @Test
    void nonNumericValueNamesLineAndColumn() {
        assertThatThrownBy(() -> parse("1,2,3,1\n1,abc,3,1\n"))
                .hasMessage("f.csv line 2 column 2: 'abc' is not a number");
    }

    @Test
    void nonFiniteValuesAreRefused() {
        assertThatThrownBy(() -> parse("1,NaN,3,1\n"))
                .hasMessage("f.csv line 1 column 2: 'NaN' is not a finite number");
        assertThatThrownBy(() -> parse("1,2,1e309,1\n"))
                .hasMessage("f.csv line 1 column 3: '1e309' is not a finite number");
        assertThatThrownBy(() -> parse("Infinity,2,3,1\n")).hasMessageContaining("not a finite number");
    }

    @Test
    void followsTheStreamersNumberGrammarNotJavasLooserOne() {
        // Float.parseFloat would take these; a live window with them is dead-lettered, so training
        // must not accept them either.
        assertThatThrownBy(() -> parse("0x1p3,2,3,1\n")).hasMessage("f.csv line 1 column 1: '0x1p3' is not a number");
        assertThatThrownBy(() -> parse("1.5f,2,3,1\n")).hasMessage("f.csv line 1 column 1: '1.5f' is not a number");
    }

    @Test
    void labelMustBeZeroOrOne() {
        assertThatThrownBy(() -> parse("1,2,3,2\n"))
                .hasMessage("f.csv line 1: label '2' is neither 1 (normal) nor 0 (abnormal)");
        assertThatThrownBy(() -> parse("1,2,3,\n")).hasMessage("f.csv line 1 column 4: '' is not a number");
    }

    @Test
    void anEmptyFileIsAnError() {
        assertThatThrownBy(() -> parse("\n\n")).hasMessage("f.csv: no heartbeats in the file");
    }
}
