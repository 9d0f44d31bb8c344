package ecgdetector.streamer.window;

import ecgdetector.schemas.DeadLetterReason;
import ecgdetector.schemas.WindowSource;

/**
 * A record of a patient that went to the dead-letter topic, told to the stages that keep per-patient state (the
 * record itself goes to the dead-letter sink). Its key is the input record's.
 *
 * @param source          where the record was read from
 * @param recordTimestamp the input record's timestamp
 * @param reason          why it got no verdict
 */
public record DeadLettered(WindowSource source, long recordTimestamp, DeadLetterReason reason) {}
