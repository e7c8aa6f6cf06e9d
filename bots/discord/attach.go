package discord

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"crowdbot/bots"
)

// fetch reads the small text files among a command's attachments (a CSV of items
// to import) into their Data, as the Telegram adapter does through getFile, so that
// the Router gets their content. Pictures and large files keep only their URL; a
// file that cannot be read is logged and goes on without its content.
func (a *Adapter) fetch(ctx context.Context, atts []bots.Attachment) {
	for i := range atts {
		at := &atts[i]
		if at.URL == "" || at.Size > a.maxDown || !isText(at.Name, at.ContentType) {
			continue
		}
		data, err := a.download(ctx, at.URL)
		if err != nil {
			a.log.Warn("download attachment", "file", at.Name, "err", err)
			continue
		}
		at.Data = data
	}
}

// download gets a file through the session's HTTP client, refusing one larger than
// the bound.
func (a *Adapter) download(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("not a file URL: %q", raw)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, a.maxDown+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > a.maxDown {
		return nil, fmt.Errorf("download: over %d bytes", a.maxDown)
	}
	return data, nil
}

// isText tells a text file (a CSV above all) by its type or its name.
func isText(name, mime string) bool {
	mime, _, _ = strings.Cut(strings.ToLower(mime), ";")
	mime = strings.TrimSpace(mime)
	switch {
	case strings.HasPrefix(mime, "text/"), mime == "application/csv":
		return true
	}
	return strings.HasSuffix(strings.ToLower(name), ".csv")
}
