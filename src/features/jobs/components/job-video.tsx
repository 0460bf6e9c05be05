import { useRef } from 'react';
import type { JobsApi } from '../api/jobs-api';
import type { OutputFormatDetails } from '../../../../contract/output-formats';
import { useVideoUrl } from '../hooks/use-video-url';

interface JobVideoProps {
  api: JobsApi;
  jobId: string;
  title: string;
  /** The job's output format: playable in `<video>`, or shown as its poster with a download. */
  format: OutputFormatDetails;
}

/**
 * The finished output inline (its poster as the `<video>` poster), with a Download button; a refreshed URL keeps
 * the playback position. Formats a browser cannot play (GIF is shown as an image; ProRes, a PNG ZIP) show the
 * poster and the download.
 */
export function JobVideo({ api, jobId, title, format }: JobVideoProps) {
  const { video, error } = useVideoUrl(api, jobId);
  const resumeAt = useRef(0);
  if (error && !video) return <p className="job__error">The video is not available yet: {error}</p>;
  if (!video) return <div className="skeleton job__video-loading">Loading video…</div>;
  const fileName = `${fileNameOf(title)}.${format.extension}`;
  const label = `Download ${format.label.replace(/ \(.*\)$/, '')}`;
  return (
    <div className="job__video">
      {format.playable ? (
        <video
          key={video.url}
          src={video.url}
          controls
          playsInline
          preload="metadata"
          aria-label={`Rendered video: ${title}`}
          {...(video.posterUrl ? { poster: video.posterUrl } : {})}
          onTimeUpdate={(event) => (resumeAt.current = event.currentTarget.currentTime)}
          onLoadedMetadata={(event) => {
            if (resumeAt.current > 0) event.currentTarget.currentTime = resumeAt.current;
          }}
        />
      ) : (
        <img
          className="job__poster"
          src={format.extension === 'gif' ? video.url : (video.posterUrl ?? '')}
          alt={`Poster of ${title}`}
          hidden={format.extension !== 'gif' && !video.posterUrl}
        />
      )}
      <a
        className="button button--secondary"
        href={video.url}
        download={fileName}
        onClick={(event) => {
          event.preventDefault();
          void downloadFile(video.url, fileName);
        }}
      >
        {label}
      </a>
    </div>
  );
}

/** A title as a safe file name: "Hello, world!" → "hello-world". */
function fileNameOf(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'render'
  );
}

/**
 * Saves the file under a readable name. Browsers ignore `download` on cross-origin links (the video lives on
 * S3 or the local output server), so the bytes are fetched and saved from a blob; without CORS, open it instead.
 */
async function downloadFile(url: string, fileName: string) {
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`download answered ${response.status}`);
    const objectUrl = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), {
      href: objectUrl,
      download: fileName,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
  } catch {
    window.location.assign(url);
  }
}
