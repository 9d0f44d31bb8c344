package ecgdetector.streamer.window;

import java.util.List;

/** The windows of one inference call, oldest first. */
public record WindowBatch(List<BufferedWindow> windows) {

    public WindowBatch {
        windows = List.copyOf(windows);
    }
}
