//! The room's network in this browser: downloaded once from `/models/<hash>` (an immutable
//! address the browser caches), its bytes checked against the hash the WebSocket announced, then
//! read and checked like any model file (`model_file::check`) before the app switches to it.

use models::Network;
use shared::ModelInfo;

use crate::later_file;

/// Downloads and checks the room's model `info`.
pub async fn fetch(info: &ModelInfo) -> Result<Network, String> {
    let offline = "The lecture's network could not be downloaded: the connection to the classroom \
                   server is lost. It is tried again when the connection is back.";
    let response = later_file::fetch(&info.path(), offline)
        .await
        .map_err(|e| format!("The lecture's network: {e}."))?;
    let bytes = later_file::body(response.array_buffer(), offline).await?;
    let bytes = js_sys::Uint8Array::new(&bytes).to_vec();
    check(info, &bytes)
}

/// The network in `bytes` if they are the file `info` names.
pub fn check(info: &ModelInfo, bytes: &[u8]) -> Result<Network, String> {
    if models::bundle::hash(bytes) != info.hash.0 {
        return Err(
            "The lecture's network arrived damaged (its hash does not match); reload the page to \
             download it again."
                .to_owned(),
        );
    }
    crate::model_file::check(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::ModelHash;

    #[test]
    fn only_the_announced_bytes_are_used() {
        let network = crate::test_networks::fixture("grey");
        let bytes = models::bundle::write(&network);
        let info = ModelInfo {
            hash: ModelHash(models::bundle::hash(&bytes)),
            bytes: bytes.len() as u32,
            name: "grey".into(),
        };
        assert!(check(&info, &bytes).expect("the announced file") == network);
        let mut damaged = bytes.clone();
        damaged[100] ^= 1;
        assert!(check(&info, &damaged).unwrap_err().contains("damaged"));
    }
}
