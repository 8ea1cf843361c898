//! Rooms back on their networks after a restart. Each stored room's model file is read from the
//! model store and checked again; a missing or damaged one puts the room back on Tiny VGG with a
//! logged warning (never a crash). A focus that does not fit the network the room now has goes
//! back to the overview, and the picture is predicted again by that network; such repairs are
//! saved, so the next start does not repeat them.

use crate::focus_check::{check_focus, overview_focus};
use crate::inference::Inference;
use crate::model_store::ModelStore;
use crate::room_model::RoomModel;
use crate::store::{StoredRoom, Write};

/// The rooms, each with its network, and the repairs to save.
pub struct Restored {
    /// Every stored room and the network it is on now.
    pub rooms: Vec<(StoredRoom, RoomModel)>,
    /// `Write::Model` for each room whose network, focus or prediction had to change.
    pub repairs: Vec<Write>,
}

/// Puts every stored room on its network (blocking: reads and checks model files).
pub fn restore(stored: Vec<StoredRoom>, models: &ModelStore, inference: &Inference) -> Restored {
    let mut rooms = Vec::with_capacity(stored.len());
    let mut repairs = Vec::new();
    for mut room in stored {
        let mut fell_back = false;
        let model = match &room.model {
            None => RoomModel::tiny_vgg(),
            Some(info) => match models.get(&info.hash) {
                Ok((_, loaded)) => RoomModel::stored(info.clone(), loaded),
                Err(error) => {
                    tracing::warn!(
                        code = %room.code,
                        model = %info.hash,
                        %error,
                        "the room's model cannot be loaded; the room goes back to Tiny VGG"
                    );
                    fell_back = true;
                    RoomModel::tiny_vgg()
                }
            },
        };
        let mut repaired = fell_back;
        if let Err(why) = check_focus(&model.network, &room.focus) {
            tracing::warn!(code = %room.code, %why, "the stored focus does not fit the room's network; back to the overview");
            room.focus = overview_focus(&model.network);
            repaired = true;
        }
        if fell_back && let Some(input) = room.input.take() {
            room.input = match inference.repredict_blocking(&input, &model) {
                Ok(input) => Some(input),
                Err(error) => {
                    tracing::warn!(code = %room.code, %error, "the room's picture could not be predicted again; it is dropped");
                    None
                }
            };
        }
        if repaired {
            room.model = model.info.clone();
            repairs.push(Write::Model {
                code: room.code.clone(),
                version: room.version,
                model: room.model.clone(),
                focus: room.focus,
                input: room.input.clone().map(Box::new),
            });
        }
        rooms.push((room, model));
    }
    Restored { rooms, repairs }
}
