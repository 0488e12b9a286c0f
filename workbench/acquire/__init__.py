"""Getting footage into the archive: from the web with yt-dlp, or from local files."""
