package pgo

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
)

// Redacted replaces a secret in a URL gotune prints or stores.
const Redacted = "xxxxx"

// RedactURL returns raw with its secrets replaced by Redacted: the
// password of its userinfo (the whole userinfo when it has no password: a
// lone user name is often a token), and the value of every query parameter
// but seconds (the profile's duration, which gotune sets itself):
// http://user:secret@host/path?seconds=30&token=T becomes
// http://user:xxxxx@host/path?seconds=30&token=xxxxx. Text that does not
// parse as a URL is redacted by pattern the same way. Every URL that Fetch,
// FetchFile and the provenance files print or store goes through it.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return redactPattern(raw)
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), Redacted)
		} else if u.User.Username() != "" {
			u.User = url.User(Redacted)
		}
	}
	if u.RawQuery != "" {
		u.RawQuery = redactQuery(u.RawQuery)
	}
	// url.URL.String escapes nothing in "xxxxx".
	return u.String()
}

// redactQuery replaces the value of every parameter of the raw query q but
// seconds, keeping the order and the names as written.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		if hasValue && name != "seconds" {
			parts[i] = name + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

var (
	urlInText    = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`)
	userinfoText = regexp.MustCompile(`(://)([^/?#@\s]*)@`)
	queryText    = regexp.MustCompile(`([?&])([^=&#\s]*)=([^&#\s]*)`)
)

// redactPattern redacts userinfo and query values in s by pattern, for text
// url.Parse rejects.
func redactPattern(s string) string {
	s = userinfoText.ReplaceAllStringFunc(s, func(m string) string {
		info := userinfoText.FindStringSubmatch(m)[2]
		if user, _, ok := strings.Cut(info, ":"); ok {
			return "://" + user + ":" + Redacted + "@"
		}
		return "://" + Redacted + "@"
	})
	return queryText.ReplaceAllStringFunc(s, func(m string) string {
		g := queryText.FindStringSubmatch(m)
		if g[2] == "seconds" {
			return m
		}
		return g[1] + g[2] + "=" + Redacted
	})
}

// RedactText returns s with every URL in it redacted by RedactURL. A
// URL's trailing punctuation (a colon, a full stop, a closing parenthesis)
// is taken as the text's, not the URL's.
func RedactText(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlInText.ReplaceAllStringFunc(s, func(m string) string {
		u := strings.TrimRight(m, ":.,;)]")
		return RedactURL(u) + m[len(u):]
	})
}

// secrets returns the secret parts of raw, a URL as the user gave it, to
// scrub from text that quotes them in other forms (an error of the HTTP
// client, a body that echoes the request): the password, a lone user name,
// the user:password pair as basic authentication encodes it, and query
// values other than seconds, each as written and unescaped.
// Values shorter than 4 bytes are left out: scrubbing them would mangle
// ordinary words.
func secrets(raw string) []string {
	var out []string
	add := func(v string) {
		if len(v) >= 4 {
			out = append(out, v)
		}
		if uv, err := url.QueryUnescape(v); err == nil && uv != v && len(uv) >= 4 {
			out = append(out, uv)
		}
	}
	s := raw
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	if g := userinfoText.FindStringSubmatch(s); g != nil {
		if user, pw, ok := strings.Cut(g[2], ":"); ok {
			add(pw)
			uu, _ := url.PathUnescape(user)
			up, _ := url.PathUnescape(pw)
			add(base64.StdEncoding.EncodeToString([]byte(uu + ":" + up)))
		} else {
			add(user)
		}
	}
	for _, g := range queryText.FindAllStringSubmatch(s, -1) {
		if g[2] != "seconds" {
			add(g[3])
		}
	}
	return out
}

// scrub replaces every secret of raw in s by Redacted, and redacts the
// URLs in s.
func scrub(s, raw string) string {
	s = RedactText(s)
	for _, v := range secrets(raw) {
		s = strings.ReplaceAll(s, v, Redacted)
	}
	return s
}
