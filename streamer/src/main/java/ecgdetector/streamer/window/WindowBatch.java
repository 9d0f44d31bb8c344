package ecgdetector.streamer.window;

import java.util.List;

/**
 * The windows of one inference call, oldest first, and how many of them, from the oldest, the scoring step dealt
 * with (scored or dead-lettered): all of them unless it {@link #deferFrom deferred} the rest, which then stay in
 * the buffer and wait. The one value a stage hands back to the one before it.
 */
public final class WindowBatch {

    private final List<BufferedWindow> windows;
    private int handled;

    public WindowBatch(List<BufferedWindow> windows) {
        this.windows = List.copyOf(windows);
        this.handled = this.windows.size();
    }

    public List<BufferedWindow> windows() {
        return windows;
    }

    /** Leaves window {@code index} and every later one unhandled: they wait in the buffer for a usable model. */
    public void deferFrom(int index) {
        if (index < 0 || index > windows.size()) {
            throw new IndexOutOfBoundsException("no window " + index + " in a batch of " + windows.size());
        }
        handled = Math.min(handled, index);
    }

    /** How many of the oldest windows were scored or dead-lettered; the rest wait. */
    public int handled() {
        return handled;
    }

    @Override
    public String toString() {
        return "WindowBatch[" + windows.size() + " windows, " + handled + " handled]";
    }
}
