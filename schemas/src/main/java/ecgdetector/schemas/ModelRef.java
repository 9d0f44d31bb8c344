package ecgdetector.schemas;

/** The model release that scored a window: its name (the key on {@code ecg.models}) and version. */
public record ModelRef(String name, String version) {}
