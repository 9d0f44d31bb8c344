package ecgdetector.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.model.release.Sha256;
import ecgdetector.trainer.testing.TestReleases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class UcrFileTest {

    private static UcrFile.Labelled parse(String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return UcrFile.parse(bytes, 3, "test.txt", Sha256.hex(bytes));
    }

    @Test
    void readsTheClassFirstThenTheSamples() throws Exception {
        UcrFile.Labelled file = parse("   1.0000000e+00  -1.1252183e-01  -2.8272038e+00   3.5e-01\n"
                + "\n"
                + "   4.0000000e+00   1.0e+00  2  -3\n");
        assertThat(file.classes()).containsExactly(UcrClass.NORMAL, UcrClass.SP_EB);
        Heartbeats beats = file.data().beats();
        assertThat(beats.normal()).containsExactly(true, false);
        assertThat(beats.beats()[0]).containsExactly(-0.11252183f, -2.8272038f, 0.35f);
        assertThat(beats.beats()[1]).containsExactly(1f, 2f, -3f);
        assertThat(file.data().source()).isEqualTo("test.txt");
    }

    @Test
    void aBadLineFailsTheFileNamingWhereAndWhy() {
        assertThatThrownBy(() -> parse("1 0.1 0.2\n"))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("test.txt line 1: 3 columns, expected 4 (a class and 3 samples)");
        assertThatThrownBy(() -> parse("1 0.1 0.2 0.3\n6 0.1 0.2 0.3\n"))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("test.txt line 2: class '6' is not one of 1 to 5");
        assertThatThrownBy(() -> parse("1.5 0.1 0.2 0.3\n"))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("test.txt line 1: class '1.5' is not one of 1 to 5");
        assertThatThrownBy(() -> parse("2 0.1 x 0.3\n"))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("test.txt line 1 column 3: 'x' is not a number");
        assertThatThrownBy(() -> parse("\n"))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("no heartbeats");
    }

    @Test
    void theArchiveFilesHoldTheBeatsOfEcgCsv() throws Exception {
        Path csv = TestReleases.requireFullData();
        Path train = csv.resolveSibling("ECG5000_TRAIN.txt");
        Path test = csv.resolveSibling("ECG5000_TEST.txt");
        Assumptions.assumeTrue(
                Files.isRegularFile(train) && Files.isRegularFile(test),
                "UCR files not found beside " + csv + ": ECG5000_TRAIN.txt and ECG5000_TEST.txt");
        UcrFile.Labelled ucrTrain = UcrFile.read(train);
        UcrFile.Labelled ucrTest = UcrFile.read(test);
        assertThat(ucrTrain.classes()).hasSize(500);
        assertThat(ucrTest.classes()).hasSize(4500);
        assertThat(ucrTest.classes().stream().filter(c -> c == UcrClass.NORMAL)).hasSize(2627);
        // ecg.csv is TRAIN then TEST without TEST's last two rows, with the same samples and normal labels.
        Heartbeats all = EcgCsv.read(csv).beats();
        for (int i = 0; i < all.size(); i++) {
            UcrFile.Labelled part = i < 500 ? ucrTrain : ucrTest;
            int row = i < 500 ? i : i - 500;
            assertThat(Arrays.equals(all.beats()[i], part.data().beats().beats()[row]))
                    .as("row %d", i)
                    .isTrue();
            assertThat(all.normal()[i]).isEqualTo(part.classes().get(row) == UcrClass.NORMAL);
        }
    }
}
