package ecgdetector.trainer.data;

/**
 * The heartbeats of one data file together with where they came from.
 *
 * @param beats  every row of the file, in file order
 * @param sha256 SHA-256 of the file's bytes, recorded in the release's provenance
 * @param source path or URL the file was read from
 */
public record EcgDataset(Heartbeats beats, String sha256, String source) {}
