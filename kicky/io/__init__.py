"""I/O at the edges: video files, atomic writes."""
