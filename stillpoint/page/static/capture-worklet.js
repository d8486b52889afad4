// Microphone capture on the audio thread: 16 kHz mono float → 16-bit PCM blocks for the WebSocket.
//
// The page asks for a 16 kHz AudioContext, so the browser has already resampled (and, through
// getUserMedia's constraints, echo-cancelled) the microphone; this processor packs 128-sample
// render quanta into 40 ms blocks (640 samples, 1280 bytes) and hands them to the page, which
// sends each as one binary WebSocket message. A browser that cannot run the microphone at
// 16 kHz gets a context at its own rate, and the processor averages down to 16 kHz itself
// (a box filter over each output sample's span: enough low-pass for speech).

const BLOCK = 640;

class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Int16Array(BLOCK);
    this.filled = 0;
    this.muted = false;
    this.step = sampleRate / 16000; // input samples per output sample (1 when the context runs at 16 kHz)
    this.position = 0;
    this.sum = 0;
    this.count = 0;
    this.port.onmessage = (event) => {
      if (event.data && typeof event.data.muted === "boolean") this.muted = event.data.muted;
    };
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    const length = channel ? channel.length : 128;
    for (let i = 0; i < length; i++) {
      // Push-to-talk released: send silence, so the server's turn-taking still sees time pass.
      this.sum += channel && !this.muted ? channel[i] : 0;
      this.count += 1;
      this.position += 1;
      if (this.position < this.step) continue;
      this.position -= this.step;
      const sample = this.sum / this.count;
      this.sum = 0;
      this.count = 0;
      const clipped = Math.max(-1, Math.min(1, sample));
      this.block[this.filled++] = clipped < 0 ? clipped * 0x8000 : clipped * 0x7fff;
      if (this.filled === BLOCK) {
        this.port.postMessage(this.block.buffer, [this.block.buffer]);
        this.block = new Int16Array(BLOCK);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor("stillpoint-capture", CaptureProcessor);
