// Microphone capture on the audio thread: 16 kHz mono float → 16-bit PCM blocks for the WebSocket.
//
// The AudioContext runs at 16 kHz, so the browser has already resampled (and, through
// getUserMedia's constraints, echo-cancelled) the microphone; this processor only packs
// 128-sample render quanta into 40 ms blocks (640 samples, 1280 bytes) and hands them to the
// page, which sends each as one binary WebSocket message.

const BLOCK = 640;

class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Int16Array(BLOCK);
    this.filled = 0;
    this.muted = false;
    this.port.onmessage = (event) => {
      if (event.data && typeof event.data.muted === "boolean") this.muted = event.data.muted;
    };
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    const length = channel ? channel.length : 128;
    for (let i = 0; i < length; i++) {
      // Push-to-talk released: send silence, so the server's turn-taking still sees time pass.
      const sample = channel && !this.muted ? channel[i] : 0;
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
