// Command hostilebench makes the hostile inputs bench/hostile.sh runs
// mlabel on, and plays the slow clients against a server:
//
//	hostilebench mask PATH W H            # W×H 8-bit mask PNG of zeros, compressed
//	hostilebench tiff PATH W H BANDS      # deflated multi-band TIFF of zeros
//	hostilebench png PATH W H             # a small noisy RGB PNG
//	hostilebench bundle IN OUT SIZE       # IN with its preprocessing size set to SIZE
//	hostilebench slow URL IMAGE SLOW NORMAL
//
// slow opens SLOW connections that send a POST's headers and then trickle
// its body a byte every 200 ms, waits 2 s, then sends NORMAL ordinary POSTs
// of IMAGE one after the other and prints each one's answer code and
// latency on one line: "200 12ms, 200 9ms, ...".
package main

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"mlabel/bundle"
	"mlabel/imageio/imagetest"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: hostilebench mask|tiff|png|bundle|slow ARGS"))
	}
	args := os.Args[2:]
	var err error
	switch os.Args[1] {
	case "mask":
		err = write(args, 3, func() ([]byte, error) { return imagetest.ZeroGrayPNG(atoi(args[1]), atoi(args[2])), nil })
	case "tiff":
		err = write(args, 4, func() ([]byte, error) { return deflatedTIFF(atoi(args[1]), atoi(args[2]), atoi(args[3]), 16) })
	case "png":
		err = write(args, 3, func() ([]byte, error) {
			return imagetest.PNG(imagetest.Noisy(atoi(args[1]), atoi(args[2]), 1)), nil
		})
	case "bundle":
		err = resize(args)
	case "slow":
		err = slow(args)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "hostilebench:", err)
	os.Exit(1)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fail(err)
	}
	return n
}

func write(args []string, n int, mk func() ([]byte, error)) error {
	if len(args) != n {
		return fmt.Errorf("%d arguments, want %d", len(args), n)
	}
	data, err := mk()
	if err != nil {
		return err
	}
	return os.WriteFile(args[0], data, 0o644)
}

// deflatedTIFF writes a little-endian min-is-black TIFF of w×h pixels of
// bands 8-bit samples, all zero, in deflated strips of rows rows.
func deflatedTIFF(w, h, bands, rows int) ([]byte, error) {
	strips := (h + rows - 1) / rows
	var buf bytes.Buffer
	buf.WriteString("II*\x00\x00\x00\x00\x00")
	offsets, counts := make([]uint32, strips), make([]uint32, strips)
	raw := make([]byte, w*bands*rows)
	for i := range strips {
		n := min(rows, h-i*rows)
		offsets[i] = uint32(buf.Len())
		zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
		zw.Write(raw[:n*w*bands])
		if err := zw.Close(); err != nil {
			return nil, err
		}
		counts[i] = uint32(buf.Len()) - offsets[i]
		if buf.Len()&1 == 1 {
			buf.WriteByte(0)
		}
	}
	bits := make([]uint32, bands)
	for i := range bits {
		bits[i] = 8
	}
	type entry struct {
		tag, typ uint16
		vals     []uint32
	}
	entries := []entry{
		{256, 4, []uint32{uint32(w)}}, {257, 4, []uint32{uint32(h)}}, {258, 3, bits},
		{259, 3, []uint32{8}}, {262, 3, []uint32{1}}, {273, 4, offsets},
		{277, 3, []uint32{uint32(bands)}}, {278, 4, []uint32{uint32(rows)}}, {279, 4, counts},
		{284, 3, []uint32{1}},
	}
	ifd := uint32(buf.Len())
	binary.LittleEndian.PutUint32(buf.Bytes()[4:], ifd)
	extra := ifd + 2 + 12*uint32(len(entries)) + 4
	var tail []byte
	le := binary.LittleEndian
	var dir []byte
	dir = le.AppendUint16(dir, uint16(len(entries)))
	for _, e := range entries {
		size := uint32(4)
		if e.typ == 3 {
			size = 2
		}
		dir = le.AppendUint16(dir, e.tag)
		dir = le.AppendUint16(dir, e.typ)
		dir = le.AppendUint32(dir, uint32(len(e.vals)))
		var vals []byte
		for _, v := range e.vals {
			if size == 2 {
				vals = le.AppendUint16(vals, uint16(v))
			} else {
				vals = le.AppendUint32(vals, v)
			}
		}
		if len(vals) <= 4 {
			dir = append(dir, vals...)
			dir = append(dir, make([]byte, 4-len(vals))...)
		} else {
			dir = le.AppendUint32(dir, extra+uint32(len(tail)))
			tail = append(tail, vals...)
		}
	}
	dir = le.AppendUint32(dir, 0)
	buf.Write(dir)
	buf.Write(tail)
	return buf.Bytes(), nil
}

// resize writes the bundle args[0] to args[1] with its preprocessing size
// set to args[2], leaving its network as it was.
func resize(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("bundle IN OUT SIZE")
	}
	b, err := bundle.Load(args[0])
	if err != nil {
		return err
	}
	b.Preprocess.Size = atoi(args[2])
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		return err
	}
	return os.WriteFile(args[1], buf.Bytes(), 0o644)
}

// slow plays SLOW trickling clients, then NORMAL ordinary ones.
func slow(args []string) error {
	if len(args) != 4 {
		return fmt.Errorf("slow URL IMAGE SLOW NORMAL")
	}
	u, err := url.Parse(args[0])
	if err != nil {
		return err
	}
	img, err := os.ReadFile(args[1])
	if err != nil {
		return err
	}
	nSlow, nNormal := atoi(args[2]), atoi(args[3])
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range nSlow {
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			return err
		}
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: image/png\r\nContent-Length: %d\r\n\r\n", u.Path, u.Host, 1<<20)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			go io.Copy(io.Discard, bufio.NewReader(conn))
			for {
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Millisecond):
					if _, err := conn.Write([]byte{0}); err != nil {
						return
					}
				}
			}
		}()
	}
	time.Sleep(2 * time.Second)
	client := &http.Client{Timeout: 60 * time.Second}
	var out []string
	for range nNormal {
		start := time.Now()
		resp, err := client.Post(args[0], "image/png", bytes.NewReader(img))
		took := time.Since(start).Round(time.Millisecond)
		if err != nil {
			out = append(out, fmt.Sprintf("error %s", took))
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out = append(out, fmt.Sprintf("%d %s", resp.StatusCode, took))
	}
	close(stop)
	wg.Wait()
	fmt.Println(strings.Join(out, ", "))
	return nil
}
