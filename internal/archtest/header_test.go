// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package archtest

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// spdxHeader is how every Go file of the project starts (CONTRIBUTING.md).
const spdxHeader = "// SPDX-FileCopyrightText: 2026 Piazza contributors\n" +
	"// SPDX-License-Identifier: EUPL-1.2\n"

// TestSPDXHeader checks that every Go file of the repository starts with the
// two SPDX lines, so the licence of each file is known without reading the
// rest of the tree.
func TestSPDXHeader(t *testing.T) {
	root, _ := moduleRoot(t)
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && skippedDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		checked++
		ok, err := hasHeader(path)
		if err != nil {
			return err
		}
		if !ok {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s: does not start with the SPDX header (CONTRIBUTING.md):\n%s", filepath.ToSlash(rel), spdxHeader)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatalf("no Go file found under %s", root)
	}
}

func hasHeader(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, len(spdxHeader))
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	return bytes.Equal(buf[:n], []byte(spdxHeader)), nil
}
