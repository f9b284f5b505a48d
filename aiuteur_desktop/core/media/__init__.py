"""Pictures, thumbnails and playback: decoding with limits, drawing small copies, reading clips."""
