package ecgdetector.app.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLinesTest {

    @TempDir
    Path tmp;

    @Test
    void readsTheLinesAgainForEveryIterator() throws Exception {
        Path file = Files.writeString(tmp.resolve("ecg.csv"), "1,2,1\r\n3,4,0\n\n5,6,1");
        FileLines lines = new FileLines(file);

        assertThat(list(lines)).containsExactly("1,2,1", "3,4,0", "", "5,6,1");
        assertThat(list(lines)).containsExactly("1,2,1", "3,4,0", "", "5,6,1");
    }

    @Test
    void dropsAByteOrderMarkAndReadsGzip() throws Exception {
        Path file = tmp.resolve("beats.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("\uFEFF{\"samples\":[1]}\n{\"samples\":[2]}\n".getBytes(StandardCharsets.UTF_8));
        }

        assertThat(list(new FileLines(file))).containsExactly("{\"samples\":[1]}", "{\"samples\":[2]}");
    }

    @Test
    void bytesThatAreNotUtf8AreKeptAsReplacementCharacters() throws Exception {
        Path file = Files.write(tmp.resolve("bad.csv"), new byte[] {'1', ',', (byte) 0xff, '\n'});

        assertThat(list(new FileLines(file))).containsExactly("1,\uFFFD");
    }

    private static List<String> list(Iterable<String> lines) {
        List<String> all = new ArrayList<>();
        lines.forEach(all::add);
        return all;
    }
}
