package ecgdetector.app.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * The lines of a text file, read afresh by each iterator, so a replay can loop over a file of any
 * size without holding it in memory. A {@code .gz} file is decompressed on the fly.
 *
 * <p>Bytes that are not UTF-8 become U+FFFD rather than an error: a replay may send broken records
 * on purpose, and the streamer is the one to reject them.
 */
public final class FileLines implements Iterable<String> {

    private final Path file;

    public FileLines(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    @Override
    public Iterator<String> iterator() {
        return new LineIterator(open());
    }

    private BufferedReader open() {
        try {
            InputStream in = Files.newInputStream(file);
            if (file.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(in, 64 * 1024);
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + file + ": " + e, e);
        }
    }

    private final class LineIterator implements Iterator<String>, AutoCloseable {
        private final BufferedReader reader;
        private String next;
        private boolean first = true;
        private boolean done;

        LineIterator(BufferedReader reader) {
            this.reader = reader;
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (done) {
                return false;
            }
            try {
                next = reader.readLine();
            } catch (IOException e) {
                close();
                throw new IllegalStateException("Cannot read " + file + ": " + e, e);
            }
            if (next == null) {
                close();
                return false;
            }
            if (first) {
                first = false;
                // Editors on Windows start UTF-8 files with a byte order mark; it is not part of
                // the record.
                if (next.startsWith("\uFEFF")) {
                    next = next.substring(1);
                }
            }
            return true;
        }

        @Override
        public String next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String line = next;
            next = null;
            return line;
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            try {
                reader.close();
            } catch (IOException e) {
                // Reading is over; a failure to release the file handle changes nothing for the
                // replay.
            }
        }
    }
}
