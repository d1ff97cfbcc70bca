package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/attache-dev/attache/knowledge"
)

// Walk reads a file, or every file of a directory tree in lexical order, as Read does,
// with one set of keys for duplicates across all files. Files are named in rejections by
// their path as root + the path under it. Hidden files and directories and a few files that
// are obviously not content are skipped; any other file that cannot be imported is
// rejected with the reason (see the package documentation).
//
// Walk returns an error when root cannot be read, when ctx is done or when emit returns
// one; a file or directory inside the tree that cannot be read is rejected, not fatal.
func Walk(ctx context.Context, root string, emit func(knowledge.Record) error, reject func(knowledge.RowError)) error {
	s := newSession(emit, reject)
	info, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("import %s: %w", root, err)
	}
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			return fmt.Errorf("import %s: not a regular file or directory", root)
		}
		return s.file(ctx, root, filepath.Base(root))
	}
	// filepath.WalkDir does not follow a root that is a link to a directory: walk its target
	// and name files under root as given.
	walkRoot := root
	if lst, err := os.Lstat(root); err == nil && lst.Mode()&fs.ModeSymlink != 0 {
		if walkRoot, err = filepath.EvalSymlinks(root); err != nil {
			return fmt.Errorf("import %s: %w", root, err)
		}
	}
	return filepath.WalkDir(walkRoot, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if p == walkRoot {
			if err != nil {
				return fmt.Errorf("import %s: %w", root, err)
			}
			return nil
		}
		rel, relErr := filepath.Rel(walkRoot, p)
		if relErr != nil {
			return fmt.Errorf("import %s: %w", p, relErr)
		}
		p = filepath.Join(root, rel)
		rel = filepath.ToSlash(rel)
		if skipped(d.Name(), d.IsDir(), !strings.Contains(rel, "/")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if err != nil {
			s.rejectPath(p, "cannot be read: %v", pathErr(err))
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			s.rejectPath(p, "is a symbolic link; links are not followed")
			return nil
		case d.IsDir():
			return nil
		case !t.IsRegular():
			s.rejectPath(p, "is not a regular file")
			return nil
		}
		return s.file(ctx, p, rel)
	})
}

// WalkFS reads every file of fsys — an embedded help center, say — as Walk reads a
// directory tree: in lexical order, with the same files skipped and one set of keys for
// duplicates across all files. Files are named by their path in fsys.
func WalkFS(ctx context.Context, fsys fs.FS, emit func(knowledge.Record) error, reject func(knowledge.RowError)) error {
	s := newSession(emit, reject)
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if p == "." {
			return err
		}
		if skipped(d.Name(), d.IsDir(), !strings.Contains(p, "/")) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case err != nil:
			s.rejectPath(p, "cannot be read: %v", pathErr(err))
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			s.rejectPath(p, "is not a regular file")
			return nil
		}
		return s.open(ctx, func() (io.ReadCloser, error) { return fsys.Open(p) }, p, p)
	})
}

// file imports one file. Its error ends the walk.
func (s *session) file(ctx context.Context, p, rel string) error {
	return s.open(ctx, func() (io.ReadCloser, error) { return os.Open(p) }, p, rel)
}

// open imports the file that open opens, named p (rel under the import root). Its error
// ends the walk.
func (s *session) open(ctx context.Context, open func() (io.ReadCloser, error), p, rel string) error {
	format, ok := extensions[strings.ToLower(filepath.Ext(p))]
	if !ok {
		s.rejectPath(p, "%v", unsupportedReason(p))
		return nil
	}
	f, err := open()
	if err != nil {
		s.rejectPath(p, "cannot be read: %v", pathErr(err))
		return nil
	}
	defer f.Close()
	err = s.read(ctx, f, format, p, rel)
	switch {
	case err == nil:
		return nil
	case s.stopped != nil:
		return s.stopped
	case ctx.Err() != nil:
		return ctx.Err()
	}
	// A read error part-way: what was read stands; the rest of the file is rejected.
	s.rejectPath(p, "cannot be read to its end: %s", withoutPath(err))
	return nil
}

// rejectPath rejects a whole file or directory.
func (s *session) rejectPath(p, format string, args ...any) {
	s.reject(knowledge.RowError{Source: p, Reason: fmt.Sprintf(format, args...)})
}

// pathErr drops the path from a file system error, which the rejection already names.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// withoutPath is err's message with the message of a file system error in it replaced by
// that error's cause: "after line 12: input/output error".
func withoutPath(err error) string {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = strings.Replace(msg, pe.Error(), pe.Err.Error(), 1)
	}
	return msg
}

// rootOnly are names (before the first dot, case-insensitive) of files that describe the
// content at the top of an import root rather than being content.
var rootOnly = map[string]bool{
	"readme": true, "license": true, "licence": true, "copying": true, "changelog": true,
	"contributing": true, "notice": true, "authors": true,
}

// skipped reports whether Walk passes over a file or directory without a word.
func skipped(name string, isDir, atRoot bool) bool {
	stem, _, _ := strings.Cut(strings.ToLower(name), ".")
	switch {
	case strings.HasPrefix(name, "."), strings.HasSuffix(name, "~"):
		return true
	case strings.EqualFold(name, "Thumbs.db"), strings.EqualFold(name, "desktop.ini"):
		return true
	case atRoot && !isDir && rootOnly[stem]:
		return true
	}
	return false
}
