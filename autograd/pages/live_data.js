/* The live page's frames: the decoder of autograd/live/encoding.py's compact encoding.

   A chunk is JSON: {format, count, sizes: {params, state: [names], probe}, frames: [meta],
   compression: "zlib" | "none", data: base64}. Its block holds, frame after frame, the float32
   arrays (params, grads when meta.grads, update, each state array) and the float64 probe
   arrays (data, grad); each array's bytes are shuffled into planes and its bits XOR-ed with the
   same array of the previous frame in the chunk. Undone here exactly: every bit comes back.

   var frames = new AutogradLive.Frames(chunk);   // or AutogradLive.Frames(chunk)
   frames.ready.then(function () { frames.frame(0).probe.data ... });
   frames.add(chunkOfNewFrames).then(function (count) { ... });   // frames that arrived live
   frames.listen(function (start, count) { ... });                // called after each add
*/
(function () {
  "use strict";
  var AL = (window.AutogradLive = window.AutogradLive || {});
  var FORMAT = "autograd-live/1";

  function base64Bytes(text) {
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  /* zlib's deflate undone by the browser's own DecompressionStream (works from file:// too). */
  function inflate(bytes, compression) {
    if (compression === "none") return Promise.resolve(bytes);
    if (compression !== "zlib") return Promise.reject(new Error("live frames: unknown compression " + compression));
    if (typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("live frames: this browser has no DecompressionStream to read them"));
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      return new Uint8Array(buffer);
    });
  }

  /* planes[i * n + j] is byte i of number j: back to number after number. */
  function unshuffle(planes, width) {
    var n = planes.length / width;
    var out = new Uint8Array(planes.length);
    for (var i = 0; i < width; i++) {
      var base = i * n;
      for (var j = 0; j < n; j++) out[j * width + i] = planes[base + j];
    }
    return out;
  }

  function xorInto(bits, previous) {
    if (!previous || previous.length !== bits.length) return bits;
    for (var i = 0; i < bits.length; i++) bits[i] ^= previous[i];
    return bits;
  }

  /* The frames of one chunk, as a Promise of an array of plain objects with typed arrays. */
  function decode(chunk) {
    if (!chunk || chunk.format !== FORMAT) {
      return Promise.reject(new Error("live frames: not a chunk in the format " + FORMAT));
    }
    return inflate(base64Bytes(chunk.data), chunk.compression).then(function (block) {
      var sizes = chunk.sizes;
      var position = 0;
      var previous = {};
      function take(name, width, count) {
        var length = count * width;
        if (position + length > block.length) throw new Error("live frames: the chunk's data is cut short");
        var bits = xorInto(unshuffle(block.subarray(position, position + length), width), previous[name]);
        position += length;
        previous[name] = bits.slice();
        return width === 8 ? new Float64Array(bits.buffer) : new Float32Array(bits.buffer);
      }
      var frames = chunk.frames.map(function (meta) {
        var frame = {
          step: meta.step,
          loss: meta.loss,
          accuracy: meta.accuracy,
          lr: meta.lr,
          events: meta.events || [],
        };
        frame.params = take("params", 4, sizes.params);
        frame.grads = meta.grads ? take("grads", 4, sizes.params) : null;
        frame.update = take("update", 4, sizes.params);
        frame.state = {};
        sizes.state.forEach(function (name) {
          frame.state[name] = take("state." + name, 4, sizes.params);
        });
        frame.probe = { data: take("probe.data", 8, sizes.probe), grad: take("probe.grad", 8, sizes.probe) };
        return frame;
      });
      if (position !== block.length) throw new Error("live frames: the chunk holds more data than its frames");
      return frames;
    });
  }

  /* All frames of a run: those inlined in the page, then those that arrive live, in order. */
  function Frames(chunk) {
    if (!(this instanceof Frames)) return new Frames(chunk);
    this.count = 0;
    this.sizes = chunk ? chunk.sizes : null;
    this._frames = [];
    this._listeners = [];
    this._queue = Promise.resolve(0);
    this.ready = chunk ? this.add(chunk) : Promise.resolve(0);
  }

  /* Append the frames of a chunk (decoded in arrival order); resolves to the new count. */
  Frames.prototype.add = function (chunk) {
    var self = this;
    if (typeof chunk === "string") chunk = JSON.parse(chunk);
    self._queue = self._queue.then(function () {
      return decode(chunk).then(function (frames) {
        var start = self._frames.length;
        if (!self.sizes) self.sizes = chunk.sizes;
        Array.prototype.push.apply(self._frames, frames);
        self.count = self._frames.length;
        self._listeners.forEach(function (fn) {
          fn(start, self.count);
        });
        return self.count;
      });
    });
    return self._queue;
  };

  /* Frame k (0 <= k < count), synchronously once decoded. */
  Frames.prototype.frame = function (k) {
    if (!(k >= 0 && k < this._frames.length)) {
      throw new RangeError("live frames: no frame " + k + " (there are " + this._frames.length + ")");
    }
    return this._frames[k];
  };

  Frames.prototype.listen = function (fn) {
    this._listeners.push(fn);
  };

  AL.Frames = Frames;
  AL.decodeFrames = decode;
  AL.FRAMES_FORMAT = FORMAT;
})();
