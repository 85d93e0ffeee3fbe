// Domiciliary units (table dus): /domiciliary-units and /domiciliary-units/<du_id>.
import { placeRoutes } from './places.ts';

export default placeRoutes({
  table: 'dus',
  path: '/domiciliary-units',
  listEndpoint: 'domiciliaryunits',
  itemEndpoint: 'domiciliaryunit',
  label: 'Domiciliary unit',
});
